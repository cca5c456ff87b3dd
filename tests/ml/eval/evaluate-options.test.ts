// evaluate's options: defaults and the one error wording for the calibration and subgroup fields.
import { describe, expect, it } from 'vitest';
import { parseEvaluateOptions } from '../../../src/ml/eval/options.js';
import { InputError } from '../../../src/ml/params/index.js';

describe('parseEvaluateOptions', () => {
  it('defaults: temperature scaling, 10 bins, age bands 40/60, 5 cases per subgroup', () => {
    expect(parseEvaluateOptions({})).toEqual({
      bootstrap: 1000,
      seed: 42,
      batchSize: 64,
      calibrate: 'temperature',
      calibrationBins: 10,
      ageBands: [40, 60],
      subgroupMinCases: 5,
    });
    expect(parseEvaluateOptions({ evaluate: { calibrate: 'none', age_bands: [50] } })).toMatchObject({
      calibrate: 'none',
      ageBands: [50],
    });
  });

  it('rejects bad values naming the field', () => {
    const bad = (evaluate: Record<string, unknown>) => () => parseEvaluateOptions({ evaluate });
    expect(bad({ calibrate: 'platt' })).toThrow(
      "expected one of none | temperature for evaluate.calibrate, got 'platt' (string)",
    );
    expect(bad({ calibration_bins: 1 })).toThrow(/integer between 2 and 1000 for evaluate.calibration_bins/);
    expect(bad({ age_bands: [60, 40] })).toThrow(
      "expected an ascending list of positive ages in years (e.g. [40, 60]) for evaluate.age_bands, got '[60,40]' (array)",
    );
    expect(bad({ age_bands: '40' })).toThrow(InputError);
    expect(bad({ subgroup_min_cases: 0 })).toThrow(/positive integer for evaluate.subgroup_min_cases/);
    expect(bad({ calibrat: 'none' })).toThrow(/unknown option evaluate.calibrat/);
  });
});

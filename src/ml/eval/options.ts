/**
 * Validated options of the `tune_threshold` and `evaluate` stages (params sections of the same names).
 *
 * Owns: names, defaults and ranges. Does not own: what they do (thresholds.ts, report.ts).
 */
import { InputError, invalid, Reader, section } from '../params/index.js';
import type { ThresholdOptions } from './thresholds.js';

export function parseTuneOptions(params: Readonly<Record<string, unknown>>): ThresholdOptions {
  const r = new Reader(section(params, 'tune_threshold'), 'tune_threshold');
  r.rejectUnknown(['strategy', 'c_fn', 'c_fp', 'min_specificity', 'min_sensitivity', 'min_threshold', 'fallback']);
  const o: ThresholdOptions = {
    strategy: r.oneOf('strategy', ['f1', 'youden', 'cost'] as const, 'f1'),
    costFn: r.number('c_fn', 1, { min: 0 }),
    costFp: r.number('c_fp', 1, { min: 0 }),
    minSpecificity: r.optionalNumber('min_specificity', { min: 0, max: 1 }),
    minSensitivity: r.optionalNumber('min_sensitivity', { min: 0, max: 1 }),
    minThreshold: r.optionalNumber('min_threshold', { min: 0, max: 1 }),
    fallback: r.probability('fallback', 0.5),
  };
  if (o.strategy === 'cost' && o.costFn === 0 && o.costFp === 0) {
    throw new InputError(
      'expected tune_threshold.c_fn or tune_threshold.c_fp to be positive with strategy cost, got both 0',
    );
  }
  return o;
}

/** Post-hoc calibration fitted on the validation split (params `evaluate.calibrate`). */
export const CALIBRATE = ['none', 'temperature'] as const;
export type Calibrate = (typeof CALIBRATE)[number];

export interface EvaluateOptions {
  bootstrap: number;
  seed: number;
  batchSize: number;
  calibrate: Calibrate;
  /** Equal-width bins of the reliability curve and ECE. */
  calibrationBins: number;
  /** Ascending age cut points of the subgroup bands. */
  ageBands: number[];
  /** Positives and negatives a label needs in a subgroup for an AUC. */
  subgroupMinCases: number;
}

/** `age_bands`: an ascending list of ages (years), e.g. [40, 60] → <40, 40-<60, >=60. */
function ageBands(r: Reader): number[] {
  const v = r.raw('age_bands') ?? [40, 60];
  const ok =
    Array.isArray(v) &&
    v.every((a, i) => typeof a === 'number' && Number.isFinite(a) && a > 0 && (i === 0 || a > (v[i - 1] as number)));
  if (!ok) invalid('an ascending list of positive ages in years (e.g. [40, 60])', r.field('age_bands'), v);
  return v as number[];
}

export function parseEvaluateOptions(params: Readonly<Record<string, unknown>>): EvaluateOptions {
  const r = new Reader(section(params, 'evaluate'), 'evaluate');
  r.rejectUnknown([
    'bootstrap',
    'seed',
    'batch_size',
    'calibrate',
    'calibration_bins',
    'age_bands',
    'subgroup_min_cases',
  ]);
  return {
    bootstrap: r.positiveInt('bootstrap', 1000),
    seed: r.nonNegativeInt('seed', 42),
    batchSize: r.positiveInt('batch_size', 64),
    calibrate: r.oneOf('calibrate', CALIBRATE, 'temperature'),
    calibrationBins: r.int('calibration_bins', 10, 2, 1000),
    ageBands: ageBands(r),
    subgroupMinCases: r.positiveInt('subgroup_min_cases', 5),
  };
}

/**
 * Validated options of the `tune_threshold` and `evaluate` stages (params sections of the same names).
 *
 * Owns: names, defaults and ranges. Does not own: what they do (thresholds.ts, report.ts).
 */
import { InputError, Reader, section } from '../params/index.js';
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

export interface EvaluateOptions {
  bootstrap: number;
  seed: number;
  batchSize: number;
}

export function parseEvaluateOptions(params: Readonly<Record<string, unknown>>): EvaluateOptions {
  const r = new Reader(section(params, 'evaluate'), 'evaluate');
  r.rejectUnknown(['bootstrap', 'seed', 'batch_size']);
  return {
    bootstrap: r.positiveInt('bootstrap', 1000),
    seed: r.nonNegativeInt('seed', 42),
    batchSize: r.positiveInt('batch_size', 64),
  };
}

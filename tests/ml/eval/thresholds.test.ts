// Threshold strategies and hard constraints on small hand-checked score lists.
import { describe, expect, it } from 'vitest';
import { chooseThreshold, thresholdsFromJson, type ThresholdOptions } from '../../../src/ml/eval/thresholds.js';
import { parseTuneOptions } from '../../../src/ml/eval/options.js';

const base: ThresholdOptions = {
  strategy: 'f1',
  costFn: 1,
  costFp: 1,
  minSpecificity: null,
  minSensitivity: null,
  minThreshold: null,
  fallback: 0.5,
};
// Sorted high → low: + + − + − − − + − −
const scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1];
const truth = [1, 1, 0, 1, 0, 0, 0, 1, 0, 0];

describe('chooseThreshold', () => {
  it('f1: picks the score that maximises F1', () => {
    // t=0.7: tp3 fp1 fn1 → F1 = 6/8 = 0.75 (best; t=0.3 gives 8/13)
    const c = chooseThreshold(scores, truth, base);
    expect(c.threshold).toBe(0.7);
    expect(c.f1).toBeCloseTo(0.75, 12);
    expect(c.feasible).toBe(true);
  });

  it('youden: maximises sensitivity + specificity − 1', () => {
    // t=0.7: 3/4 + 5/6 − 1 = 0.5833; t=0.3: 1 + 2/6 − 1 = 0.333; t=0.9: 2/4 + 1 − 1 = 0.5
    const c = chooseThreshold(scores, truth, { ...base, strategy: 'youden' });
    expect(c.threshold).toBe(0.7);
  });

  it('cost: a high false-negative cost lowers the threshold to catch every positive', () => {
    // c_fn = 10: t=0.3 → FN 0, FP 4 → cost 4; t=0.7 → FN 1 (10) + FP 1 = 11
    const c = chooseThreshold(scores, truth, { ...base, strategy: 'cost', costFn: 10 });
    expect(c.threshold).toBe(0.3);
    expect(c.confusion).toEqual({ tp: 4, fp: 4, tn: 2, fn: 0 });
  });

  it('min_specificity excludes thresholds with too many false alarms', () => {
    // specificity ≥ 0.9 means at most 0 false positives among 6 negatives → t=0.9
    const c = chooseThreshold(scores, truth, { ...base, minSpecificity: 0.9 });
    expect(c.threshold).toBe(0.9);
    expect(c.specificity).toBe(1);
  });

  it('a threshold that exactly meets min_specificity is accepted (boundary)', () => {
    // t=0.7 (the F1 optimum) has tn 5 / fp 1: specificity exactly 5/6. Rejecting an exact meet would
    // move to t=0.9 (specificity 1) and lose a true positive.
    const c = chooseThreshold(scores, truth, { ...base, minSpecificity: 5 / 6 });
    expect(c.specificity).toBe(5 / 6);
    expect(c.threshold).toBe(0.7);
    expect(c.feasible).toBe(true);
    expect(c.notes).toEqual([]);
    // and the same for min_sensitivity: t=0.7 finds 3 of 4 positives
    expect(chooseThreshold(scores, truth, { ...base, minSensitivity: 0.75 }).threshold).toBe(0.7);
  });

  it('min_threshold is a hard floor', () => {
    const c = chooseThreshold(scores, truth, { ...base, minThreshold: 0.85 });
    expect(c.threshold).toBeGreaterThanOrEqual(0.85);
    expect(c.threshold).toBe(0.9);
  });

  it('says which constraint cannot be met and picks the closest candidate', () => {
    // sensitivity 1 needs t ≤ 0.3, specificity 1 needs t ≥ 0.9: impossible together
    const c = chooseThreshold(scores, truth, { ...base, minSensitivity: 1, minSpecificity: 1 });
    expect(c.feasible).toBe(false);
    expect(c.notes.join(' ')).toMatch(/min_s(ensitivity|pecificity) 1 not reachable/);
  });

  it('falls back, with a note, when the validation split has no positives', () => {
    const c = chooseThreshold([0.2, 0.9], [0, 0], { ...base, minThreshold: 0.6 });
    expect(c.threshold).toBe(0.6);
    expect(c.notes[0]).toMatch(/no positive cases in the validation split/);
  });
});

describe('options and thresholds.json', () => {
  it('rejects a bad strategy with the standard wording', () => {
    expect(() => parseTuneOptions({ tune_threshold: { strategy: 'max' } })).toThrow(
      "expected one of f1 | youden | cost for tune_threshold.strategy, got 'max' (string)",
    );
    expect(() => parseTuneOptions({ tune_threshold: { min_specificity: '0.9' } })).toThrow(
      /tune_threshold.min_specificity/,
    );
  });

  it('reads thresholds in label order and names a missing label', () => {
    const text = JSON.stringify({ labels: { B: { threshold: 0.2 }, A: { threshold: 0.7 } } });
    expect(thresholdsFromJson(text, ['A', 'B'], 't.json')).toEqual([0.7, 0.2]);
    expect(() => thresholdsFromJson(text, ['C'], 't.json')).toThrow(/label 'C'/);
  });
});

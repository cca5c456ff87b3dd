// Metric code against hand-computed values: ties, missing classes, perfect and inverted classifiers.
import { describe, expect, it } from 'vitest';
import {
  aucRoc,
  averagePrecision,
  bootstrapInterval,
  confusionAt,
  macro,
  prCurve,
  rates,
  rocCurve,
} from '../../../src/ml/eval/metrics.js';

describe('aucRoc (Mann–Whitney, ties count ½)', () => {
  it('matches a hand count over all positive–negative pairs', () => {
    // positives 0.9, 0.4; negatives 0.5, 0.1 → pairs: (0.9>0.5) (0.9>0.1) (0.4<0.5) (0.4>0.1) = 3/4
    expect(aucRoc([0.9, 0.5, 0.4, 0.1], [1, 0, 1, 0]).value).toBeCloseTo(0.75, 12);
  });

  it('counts a tied positive–negative pair as one half', () => {
    // positives 0.8, 0.5; negatives 0.5, 0.2 → 1 + 1 + ½ (0.5 vs 0.5) + 1 = 3.5 / 4
    expect(aucRoc([0.8, 0.5, 0.5, 0.2], [1, 1, 0, 0]).value).toBeCloseTo(0.875, 12);
    // all scores equal → every pair tied → ½
    expect(aucRoc([0.3, 0.3, 0.3, 0.3, 0.3], [1, 0, 1, 0, 0]).value).toBeCloseTo(0.5, 12);
  });

  it('is 1 for a perfect and 0 for an inverted classifier', () => {
    expect(aucRoc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]).value).toBe(1);
    expect(aucRoc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]).value).toBe(0);
  });

  it('is null with a reason when a class is missing, never 0 or NaN', () => {
    expect(aucRoc([0.1, 0.7], [0, 0])).toEqual({ value: null, reason: 'no positive cases in this split' });
    expect(aucRoc([0.1, 0.7], [1, 1])).toEqual({ value: null, reason: 'no negative cases in this split' });
  });
});

describe('averagePrecision (Σ (R_n − R_{n−1}) P_n)', () => {
  it('matches the hand computation', () => {
    // sorted: 0.9(+) 0.8(−) 0.7(+) 0.1(−): recall steps 0.5 @ P=1, 0.5 @ P=2/3 → 0.5 + 1/3
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]).value).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it('treats tied scores as one threshold', () => {
    // 0.9(+) then {0.5(+), 0.5(−)} together: 0.5·1 + 0.5·(2/3)
    expect(averagePrecision([0.9, 0.5, 0.5], [1, 1, 0]).value).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it('is null without positives and 1 for a perfect ranking', () => {
    expect(averagePrecision([0.3, 0.2], [0, 0]).value).toBeNull();
    expect(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0]).value).toBe(1);
  });
});

describe('curves', () => {
  it('ROC starts at (0,0), ends at (1,1) and has one point per distinct score', () => {
    const roc = rocCurve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]);
    expect(roc.map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [0, 0.5],
      [0.5, 1],
      [1, 1],
    ]);
    expect(roc[0]?.threshold).toBe(Infinity);
  });

  it('PR curve lists precision and recall at each threshold', () => {
    expect(prCurve([0.9, 0.8, 0.7], [1, 0, 1]).map((p) => [p.threshold, p.recall, p.precision])).toEqual([
      [0.9, 0.5, 1],
      [0.8, 0.5, 0.5],
      [0.7, 1, 2 / 3],
    ]);
  });
});

describe('confusion and rates', () => {
  it('counts score ≥ threshold as positive and derives every rate', () => {
    const c = confusionAt([0.9, 0.6, 0.5, 0.4, 0.2], [1, 0, 1, 1, 0], 0.5);
    expect(c).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
    const r = rates(c);
    expect(r.sensitivity.value).toBeCloseTo(2 / 3, 12);
    expect(r.specificity.value).toBeCloseTo(1 / 2, 12);
    expect(r.precision.value).toBeCloseTo(2 / 3, 12);
    expect(r.f1.value).toBeCloseTo(4 / 6, 12);
    expect(r.accuracy.value).toBeCloseTo(3 / 5, 12);
    expect(r.balancedAccuracy.value).toBeCloseTo((2 / 3 + 1 / 2) / 2, 12);
  });

  it('reports undefined rates as null with a reason', () => {
    const r = rates({ tp: 0, fp: 0, tn: 5, fn: 0 });
    expect(r.sensitivity).toEqual({ value: null, reason: 'no positive cases' });
    expect(r.precision.value).toBeNull();
    expect(r.specificity.value).toBe(1);
    expect(r.balancedAccuracy.value).toBeNull();
  });
});

describe('bootstrap and macro', () => {
  const scores = [0.95, 0.9, 0.8, 0.7, 0.65, 0.6, 0.4, 0.35, 0.3, 0.2, 0.15, 0.1];
  const truth = [1, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 0];

  it('gives a seeded, reproducible interval around the point estimate', () => {
    const point = aucRoc(scores, truth).value as number;
    const a = bootstrapInterval(scores, truth, aucRoc, { resamples: 300, seed: 1 });
    const b = bootstrapInterval(scores, truth, aucRoc, { resamples: 300, seed: 1 });
    expect(a).toEqual(b);
    expect(a.low as number).toBeLessThan(point);
    expect(a.high as number).toBeGreaterThan(point);
    expect(a.resamples).toBeGreaterThan(250);
  });

  it('averages only the defined values', () => {
    expect(macro([{ value: 0.8 }, { value: null, reason: 'x' }, { value: 0.6 }]).value).toBeCloseTo(0.7, 12);
    expect(macro([{ value: null }]).value).toBeNull();
  });
});

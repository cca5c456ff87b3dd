// ECE, Brier and the reliability curve against scikit-learn's values committed in tests/fixtures/calibration
// (regenerate with tests/fixtures/calibration/make.py; the fixture records the scikit-learn version), and
// temperature scaling against a known miscalibration.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brierScore, expectedCalibrationError, reliabilityCurve } from '../../../src/ml/eval/calibration.js';
import { applyTemperature, fitTemperature, scaledNll } from '../../../src/ml/eval/temperature.js';
import { Mulberry32 } from '../../../src/shared/rng.js';

interface Case {
  name: string;
  n_bins: number;
  y_prob: number[];
  y_true: number[];
  brier: number;
  prob_true: number[];
  prob_pred: number[];
  counts: number[];
  ece: number;
}
const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/calibration/sklearn.json', import.meta.url)), 'utf8'),
) as { sklearn: string; cases: Case[] };

describe(`calibration matches scikit-learn ${fixture.sklearn} on the committed fixture`, () => {
  it('covers bin edges, float32 scores, another bin count and a label without positives', () => {
    expect(fixture.cases.map((c) => c.name)).toEqual(
      expect.arrayContaining(['bin-edges', 'float32-scores', 'five-bins', 'no-positives']),
    );
  });

  for (const c of fixture.cases) {
    it(`${c.name}: Brier = brier_score_loss, curve = calibration_curve, ECE from it`, () => {
      expect(brierScore(c.y_prob, c.y_true)).toBeCloseTo(c.brier, 12);
      const curve = reliabilityCurve(c.y_prob, c.y_true, c.n_bins);
      expect(curve.map((b) => b.count)).toEqual(c.counts);
      curve.forEach((b, i) => {
        expect(b.fractionPositive).toBeCloseTo(c.prob_true[i], 12);
        expect(b.meanPredicted).toBeCloseTo(c.prob_pred[i], 12);
      });
      expect(expectedCalibrationError(curve)).toBeCloseTo(c.ece, 12);
    });
  }

  it('bins have the stated edges: (low, high], with 0 in the first bin', () => {
    const curve = reliabilityCurve([0, 0.1, 0.10000001, 1], [0, 0, 0, 1], 10);
    expect(curve.map((b) => [b.low, b.high, b.count])).toEqual([
      [0, 0.1, 2],
      [0.1, 0.2, 1],
      [0.9, 1, 1],
    ]);
  });

  it('a perfectly calibrated bin has no error; Brier is null with no cases', () => {
    expect(expectedCalibrationError(reliabilityCurve([0.5, 0.5], [1, 0]))).toBe(0);
    expect(brierScore([], [])).toBeNull();
  });
});

describe('temperature scaling', () => {
  // Labels drawn from sigmoid(z); the model reports sigmoid(2.5 z): over-confident by T = 2.5.
  function overconfident(n: number, seed: number): { logits: Float32Array; truth: Float32Array } {
    const rng = new Mulberry32(seed);
    const logits = new Float32Array(n);
    const truth = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const z = rng.uniform(-4, 4);
      truth[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      logits[i] = 2.5 * z;
    }
    return { logits, truth };
  }

  it('recovers the temperature of a known over-confident model and lowers the NLL', () => {
    const { logits, truth } = overconfident(20000, 3);
    const fit = fitTemperature('binary', logits, truth, 1);
    expect(fit.temperature).toBeGreaterThan(2.3);
    expect(fit.temperature).toBeLessThan(2.7);
    expect(fit.nllAfter).toBeLessThan(fit.nllBefore);
    // the optimum: nudging T either way costs likelihood
    for (const t of [fit.temperature * 0.98, fit.temperature * 1.02]) {
      expect(scaledNll('binary', logits, truth, 1, t)).toBeGreaterThan(fit.nllAfter);
    }
    const before = reliabilityCurve(applyTemperature('binary', logits, 1, 1), truth);
    const after = reliabilityCurve(applyTemperature('binary', logits, 1, fit.temperature), truth);
    expect(expectedCalibrationError(after)).toBeLessThan(expectedCalibrationError(before) / 3);
  });

  it('fits T ≈ 1 to a calibrated model, and T < 1 to an under-confident one', () => {
    const { logits, truth } = overconfident(20000, 4);
    const calibrated = logits.map((z) => z / 2.5);
    expect(fitTemperature('binary', calibrated, truth, 1).temperature).toBeCloseTo(1, 1);
    const under = logits.map((z) => z / 5);
    expect(fitTemperature('binary', under, truth, 1).temperature).toBeCloseTo(0.5, 1);
  });

  it('softmax: divides every logit of a row and keeps rows summing to 1', () => {
    const logits = Float32Array.from([2, 0, -2, 0, 3, 0]);
    const p = applyTemperature('multiclass', logits, 3, 2);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 6);
    expect(p[0] / p[1]).toBeCloseTo(Math.exp(1), 5);
    const truth = Float32Array.from([1, 0, 0, 0, 1, 0]);
    // confident and right: sharpening (T < 1) only helps, so the fit goes to the low end of the range
    expect(fitTemperature('multiclass', logits, truth, 3).temperature).toBeLessThan(0.1);
  });
});

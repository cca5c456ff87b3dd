// Losses against the formulas evaluated by hand in plain numbers; class weights from label counts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeClassWeights, sigmoidLoss, softmaxLoss } from '../../../src/ml/train/losses.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

function value(t: tf.Scalar): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

describe('computeClassWeights', () => {
  // 8 images, label 0 has 2 positives, label 1 has 4, label 2 none
  const labels = new Float32Array([1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

  it('balanced = negatives / positives, sqrt = its square root, none = 1', () => {
    expect(computeClassWeights(labels, 3, 'multilabel', 'balanced')).toEqual([3, 1, 1]);
    expect(computeClassWeights(labels, 3, 'multilabel', 'sqrt')).toEqual([Math.sqrt(3), 1, 1]);
    expect(computeClassWeights(labels, 3, 'multilabel', 'none')).toEqual([1, 1, 1]);
  });

  it('multiclass balanced = N / (K · n_k)', () => {
    const oneHot = new Float32Array([1, 0, 1, 0, 1, 0, 0, 1]); // 3 of class 0, 1 of class 1
    expect(computeClassWeights(oneHot, 2, 'multiclass', 'balanced')).toEqual([4 / 6, 2]);
  });
});

describe('sigmoidLoss', () => {
  const y = [
    [1, 0],
    [0, 1],
  ];
  const z = [
    [2, -1],
    [0.5, -3],
  ];
  const expected = (w: number[], gamma: number, alpha: number | null): number => {
    let sum = 0;
    y.forEach((row, i) =>
      row.forEach((t, l) => {
        const p = sig(z[i][l]);
        const a = alpha === null ? 1 : t ? alpha : 1 - alpha;
        sum += t ? -w[l] * a * (1 - p) ** gamma * Math.log(p) : -a * p ** gamma * Math.log(1 - p);
      }),
    );
    return sum / 4;
  };

  it('is the mean binary cross-entropy with positives weighted by pos_weight', () => {
    const loss = sigmoidLoss([3, 0.5]);
    expect(value(loss(tf.tensor2d(y), tf.tensor2d(z)))).toBeCloseTo(expected([3, 0.5], 0, null), 5);
    expect(value(sigmoidLoss([1, 1])(tf.tensor2d(y), tf.tensor2d(z)))).toBeCloseTo(expected([1, 1], 0, null), 5);
  });

  it('focal loss down-weights easy examples by (1 − p_t)^γ and applies α', () => {
    const focal = sigmoidLoss([1, 1], 2, 0.25);
    expect(value(focal(tf.tensor2d(y), tf.tensor2d(z)))).toBeCloseTo(expected([1, 1], 2, 0.25), 5);
    // an easy, confidently right example contributes far less under focal loss than under BCE
    const easyBce = value(sigmoidLoss([1])(tf.tensor2d([[1]]), tf.tensor2d([[4]])));
    const easyFocal = value(sigmoidLoss([1], 2)(tf.tensor2d([[1]]), tf.tensor2d([[4]])));
    expect(easyFocal).toBeLessThan(easyBce * 0.01);
  });

  it('stays finite for large logits', () => {
    expect(Number.isFinite(value(sigmoidLoss([1])(tf.tensor2d([[1]]), tf.tensor2d([[-200]]))))).toBe(true);
  });
});

describe('softmaxLoss', () => {
  it('is the class-weighted cross-entropy of the softmax', () => {
    const z = [1, 2, 0.5];
    const e = z.map(Math.exp);
    const p1 = e[1] / e.reduce((a, b) => a + b, 0);
    const loss = softmaxLoss([1, 2, 1])(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([z]));
    expect(value(loss)).toBeCloseTo(-2 * Math.log(p1), 5);
    const focal = softmaxLoss([1, 1, 1], 2)(tf.tensor2d([[0, 1, 0]]), tf.tensor2d([z]));
    expect(value(focal)).toBeCloseTo(-((1 - p1) ** 2) * Math.log(p1), 5);
  });
});

/**
 * The order in which one epoch visits the training images.
 *
 * - `none`: every image once, shuffled.
 * - `weighted`: N draws with replacement, image i drawn with probability ∝ w_i, where
 *   w_i = max over labels l of 1 / frequency of image i's value (0 or 1) of label l. An image positive
 *   for a rare label gets that label's inverse prevalence; for binary and multiclass data this is
 *   plain inverse class frequency, so classes are drawn about equally often.
 *
 * Owns: sample weights and epoch orders. Does not own: randomness (an injected Rng).
 */
import type { Rng } from '../../shared/rng.js';
import type { SamplerName } from './options.js';

/** Per-image sampling weights for the `weighted` sampler. */
export function sampleWeights(labels: Float32Array, numLabels: number): Float64Array {
  const n = labels.length / numLabels;
  const positives = new Array<number>(numLabels).fill(0);
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) positives[i % numLabels] += 1;
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let w = 0;
    for (let l = 0; l < numLabels; l++) {
      const isPos = labels[i * numLabels + l] > 0.5;
      const count = isPos ? positives[l] : n - positives[l];
      if (count > 0) w = Math.max(w, n / count);
    }
    weights[i] = w > 0 ? w : 1;
  }
  return weights;
}

/** Draws `count` indices with replacement, proportional to `weights` (inverse CDF with binary search). */
export function drawWeighted(weights: Float64Array, count: number, rng: Rng): number[] {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  weights.forEach((w, i) => {
    total += w;
    cdf[i] = total;
  });
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    const u = rng.next() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    out.push(lo);
  }
  return out;
}

/** The image order of one epoch. */
export function epochOrder(kind: SamplerName, labels: Float32Array, numLabels: number, rng: Rng): number[] {
  const n = labels.length / numLabels;
  if (kind === 'weighted') return drawWeighted(sampleWeights(labels, numLabels), n, rng);
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}

/**
 * How well a grouping of the points (positive vs negative for a label, PA vs AP, …) separates in a
 * space: the mean silhouette coefficient (Rousseeuw 1987), as scikit-learn's `silhouette_score` with
 * the Euclidean metric computes it.
 *
 * s(i) = (b − a) / max(a, b), with a the mean distance from i to the other members of its group and b the
 * smallest mean distance from i to another group; s(i) = 0 for a point alone in its group. The score is
 * the mean over the points; +1 = tight, far-apart groups, 0 = overlapping, < 0 = mixed up.
 *
 * Owns: the coefficient. Does not own: which groupings are scored (job.ts).
 */
import { squaredDistances } from './tsne.js';

/** Euclidean distances (not squared), N×N row-major. */
export function distanceMatrix(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = squaredDistances(x, n, d);
  for (let i = 0; i < out.length; i++) out[i] = Math.sqrt(out[i]);
  return out;
}

/**
 * Mean silhouette of `groups` (one group key per point; null = left out) over distances `dist` (N×N), or
 * null when fewer than two groups have points (the coefficient is undefined).
 */
export function silhouette(dist: Float64Array, groups: readonly (string | null)[]): number | null {
  const n = groups.length;
  const keys = [...new Set(groups.filter((g): g is string => g !== null))];
  if (keys.length < 2) return null;
  const index = new Map(keys.map((k, i) => [k, i]));
  const sizes = new Array<number>(keys.length).fill(0);
  for (const g of groups) if (g !== null) sizes[index.get(g) as number] += 1;
  let total = 0;
  let counted = 0;
  const sums = new Float64Array(keys.length);
  for (let i = 0; i < n; i++) {
    const gi = groups[i];
    if (gi === null || gi === undefined) continue;
    const own = index.get(gi) as number;
    counted++;
    if (sizes[own] < 2) continue;
    sums.fill(0);
    for (let j = 0; j < n; j++) {
      const gj = groups[j];
      if (j !== i && gj !== null && gj !== undefined) sums[index.get(gj) as number] += dist[i * n + j];
    }
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let k = 0; k < keys.length; k++) if (k !== own) b = Math.min(b, sums[k] / sizes[k]);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return counted > 0 ? total / counted : null;
}

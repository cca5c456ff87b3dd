/**
 * Calibration of predicted probabilities against 0/1 outcomes: the reliability curve, expected calibration
 * error (ECE) and the Brier score.
 *
 * Binning (the one scikit-learn's `calibration_curve(strategy='uniform')` uses, so the points match it):
 * `bins` equal-width bins over [0, 1] with edges `i / bins`; bin b holds the scores s with
 * edge[b] < s ≤ edge[b+1], except that bin 0 also holds s = 0 (numpy's `searchsorted(edges[1:-1], s)`).
 * ECE = Σ_b (n_b / N) · |fraction of positives in b − mean score in b| over the non-empty bins
 * (Guo et al. 2017, weighted by count). Brier = mean of (s − y)², as `brier_score_loss`.
 *
 * Owns: these definitions. Does not own: temperature scaling (temperature.ts), the report shape (report.ts).
 */

/** One non-empty bin of a reliability curve. */
export interface ReliabilityBin {
  /** Edges of the bin: (low, high], [0, high] for the first. */
  low: number;
  high: number;
  count: number;
  /** Mean predicted probability in the bin (sklearn's `prob_pred`). */
  meanPredicted: number;
  /** Fraction of positives in the bin (sklearn's `prob_true`). */
  fractionPositive: number;
}

/** Default number of bins (a 10-bin ECE is what calibration papers report). */
export const DEFAULT_BINS = 10;

/** Interior edges `i / bins` computed as numpy's linspace does (`i * (1 / bins)`), so boundary cases match. */
function interiorEdges(bins: number): number[] {
  const step = 1 / bins;
  return Array.from({ length: bins - 1 }, (_, i) => (i + 1) * step);
}

/** Index of the first edge ≥ s (numpy `searchsorted`, side 'left'). */
function binOf(edges: readonly number[], s: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < s) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The reliability curve: non-empty bins in increasing order of score. */
export function reliabilityCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = DEFAULT_BINS,
): ReliabilityBin[] {
  const edges = interiorEdges(bins);
  const count = new Array<number>(bins).fill(0);
  const sum = new Array<number>(bins).fill(0);
  const pos = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    const b = binOf(edges, s);
    count[b] += 1;
    sum[b] += s;
    if (labels[i] > 0.5) pos[b] += 1;
  }
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b];
    if (n === 0) continue;
    out.push({
      low: b === 0 ? 0 : edges[b - 1],
      high: b === bins - 1 ? 1 : edges[b],
      count: n,
      meanPredicted: sum[b] / n,
      fractionPositive: pos[b] / n,
    });
  }
  return out;
}

/** Expected calibration error of a reliability curve (0 for no cases). */
export function expectedCalibrationError(curve: readonly ReliabilityBin[]): number {
  const n = curve.reduce((s, b) => s + b.count, 0);
  if (n === 0) return 0;
  return curve.reduce((s, b) => s + (b.count / n) * Math.abs(b.fractionPositive - b.meanPredicted), 0);
}

/** Brier score: mean squared difference between score and 0/1 outcome (null for no cases). */
export function brierScore(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (scores.length === 0) return null;
  let s = 0;
  for (let i = 0; i < scores.length; i++) {
    const y = labels[i] > 0.5 ? 1 : 0;
    s += (scores[i] - y) ** 2;
  }
  return s / scores.length;
}

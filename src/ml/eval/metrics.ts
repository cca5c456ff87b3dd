/**
 * Binary classification metrics on plain arrays: scores (probabilities) and 0/1 labels.
 *
 * Owns: AUC-ROC as the Mann–Whitney statistic (ties count ½), ROC and precision–recall curves,
 * average precision (the step-wise sum Σ (R_n − R_{n−1}) P_n, as scikit-learn computes it), confusion
 * counts at a threshold and the rates derived from them, bootstrap confidence intervals.
 * Undefined values (a label with no positives, a rate with a zero denominator) are `null` with a
 * reason, never 0 or NaN. Does not own: tensors, files, thresholds selection (thresholds.ts).
 */
import { Mulberry32 } from '../../shared/rng.js';

/** A metric that may be undefined on this data. */
export interface Maybe {
  value: number | null;
  /** Why `value` is null. */
  reason?: string;
}

function undefinedBecause(reason: string): Maybe {
  return { value: null, reason };
}

function counts(labels: ArrayLike<number>): { pos: number; neg: number } {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) pos++;
  return { pos, neg: labels.length - pos };
}

/** Why a ranking metric is undefined, or null when both classes are present. */
function missingClass(pos: number, neg: number): string | null {
  if (pos === 0) return 'no positive cases in this split';
  if (neg === 0) return 'no negative cases in this split';
  return null;
}

/** AUC-ROC = P(score of a random positive > score of a random negative) + ½ P(tie). */
export function aucRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): Maybe {
  const { pos, neg } = counts(labels);
  const missing = missingClass(pos, neg);
  if (missing) return undefinedBecause(missing);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  // Mid-ranks: tied scores share the average of their ranks, which counts each tie as ½.
  let rankSumPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]] > 0.5) rankSumPos += midRank;
    i = j + 1;
  }
  return { value: (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg) };
}

/** Cumulative counts at each distinct score, from the highest score down. */
interface Step {
  threshold: number;
  tp: number;
  fp: number;
}

function steps(scores: ArrayLike<number>, labels: ArrayLike<number>): Step[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const out: Step[] = [];
  let tp = 0;
  let fp = 0;
  order.forEach((idx, k) => {
    if (labels[idx] > 0.5) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[idx]) out.push({ threshold: scores[idx], tp, fp });
  });
  return out;
}

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** ROC curve from (0, 0) (threshold +∞) to (1, 1), one point per distinct score. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const { pos, neg } = counts(labels);
  if (missingClass(pos, neg)) return [];
  return [
    { threshold: Infinity, fpr: 0, tpr: 0 },
    ...steps(scores, labels).map((s) => ({ threshold: s.threshold, fpr: s.fp / neg, tpr: s.tp / pos })),
  ];
}

export interface PrPoint {
  threshold: number;
  recall: number;
  precision: number;
}

/** Precision–recall points, one per distinct score, from the highest threshold down. */
export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): PrPoint[] {
  const { pos } = counts(labels);
  if (pos === 0) return [];
  return steps(scores, labels).map((s) => ({
    threshold: s.threshold,
    recall: s.tp / pos,
    precision: s.tp / (s.tp + s.fp),
  }));
}

/** Average precision Σ (R_n − R_{n−1}) P_n over distinct thresholds (scikit-learn's definition). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): Maybe {
  const { pos } = counts(labels);
  if (pos === 0) return undefinedBecause('no positive cases in this split');
  let ap = 0;
  let lastRecall = 0;
  for (const p of prCurve(scores, labels)) {
    ap += (p.recall - lastRecall) * p.precision;
    lastRecall = p.recall;
  }
  return { value: ap };
}

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Counts with "predicted positive" meaning score ≥ threshold. */
export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  const c: Confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    const actual = labels[i] > 0.5;
    if (predicted && actual) c.tp++;
    else if (predicted) c.fp++;
    else if (actual) c.fn++;
    else c.tn++;
  }
  return c;
}

function ratio(num: number, den: number, reason: string): Maybe {
  return den === 0 ? undefinedBecause(reason) : { value: num / den };
}

export interface Rates {
  sensitivity: Maybe;
  specificity: Maybe;
  precision: Maybe;
  f1: Maybe;
  accuracy: Maybe;
  balancedAccuracy: Maybe;
}

/** Rates derived from confusion counts; each is null with a reason when its denominator is 0. */
export function rates(c: Confusion): Rates {
  const sensitivity = ratio(c.tp, c.tp + c.fn, 'no positive cases');
  const specificity = ratio(c.tn, c.tn + c.fp, 'no negative cases');
  const precision = ratio(c.tp, c.tp + c.fp, 'no predicted positives');
  const f1 = ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn, 'no positive cases and no predicted positives');
  const accuracy = ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn, 'no cases');
  const balancedAccuracy =
    sensitivity.value === null || specificity.value === null
      ? undefinedBecause('needs both positive and negative cases')
      : { value: (sensitivity.value + specificity.value) / 2 };
  return { sensitivity, specificity, precision, f1, accuracy, balancedAccuracy };
}

export interface Interval {
  low: number | null;
  high: number | null;
  /** Resamples in which the metric was defined. */
  resamples: number;
}

/** Percentile bootstrap CI of `metric` over cases resampled with replacement (seeded). */
export function bootstrapInterval(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  metric: (s: Float64Array, l: Float64Array) => Maybe,
  options: { resamples: number; seed: number; level?: number },
): Interval {
  const rng = new Mulberry32(options.seed);
  const n = scores.length;
  const s = new Float64Array(n);
  const l = new Float64Array(n);
  const values: number[] = [];
  for (let b = 0; b < options.resamples; b++) {
    for (let i = 0; i < n; i++) {
      const j = rng.int(0, n - 1);
      s[i] = scores[j];
      l[i] = labels[j];
    }
    const v = metric(s, l).value;
    if (v !== null) values.push(v);
  }
  if (values.length === 0) return { low: null, high: null, resamples: 0 };
  values.sort((a, b) => a - b);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (q: number): number => values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))];
  return { low: at(alpha), high: at(1 - alpha), resamples: values.length };
}

/** Mean of the defined values, or null with a reason when none is defined. */
export function macro(values: readonly Maybe[]): Maybe {
  const defined = values.map((v) => v.value).filter((v): v is number => v !== null);
  if (defined.length === 0) return undefinedBecause('undefined for every label');
  return { value: defined.reduce((a, b) => a + b, 0) / defined.length };
}

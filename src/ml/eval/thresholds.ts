/**
 * Per-label decision thresholds chosen on the validation split.
 *
 * Strategies: `f1` (maximise F1), `youden` (maximise sensitivity + specificity − 1), `cost` (minimise
 * c_fn·FN + c_fp·FP). Hard constraints `minSpecificity`, `minSensitivity`, `minThreshold` restrict
 * the candidates first; when no candidate meets them all, the candidate with the smallest total
 * shortfall is chosen and the result says which constraint failed and by how much.
 * "Positive" means score ≥ threshold. Candidates are the distinct scores plus 1 (all negative) and
 * `minThreshold`; ties in the objective go to the higher threshold (fewer false alarms).
 *
 * Owns: the choice and its explanation. Does not own: reading params (tune-options.ts) or files.
 */
import { confusionAt, rates, type Confusion } from './metrics.js';

export type Strategy = 'f1' | 'youden' | 'cost';

export interface ThresholdOptions {
  strategy: Strategy;
  costFn: number;
  costFp: number;
  minSpecificity: number | null;
  minSensitivity: number | null;
  minThreshold: number | null;
  /** Threshold when a label has no positive (or no negative) validation case. */
  fallback: number;
}

export interface ThresholdChoice {
  threshold: number;
  /** Whether every constraint holds at `threshold` on the validation split. */
  feasible: boolean;
  /** Human-readable notes: unmet constraints, undefined objective. */
  notes: string[];
  confusion: Confusion;
  sensitivity: number | null;
  specificity: number | null;
  precision: number | null;
  f1: number | null;
}

function objective(o: ThresholdOptions, c: Confusion): number {
  const r = rates(c);
  switch (o.strategy) {
    case 'f1':
      return r.f1.value ?? 0;
    case 'youden':
      return (r.sensitivity.value ?? 0) + (r.specificity.value ?? 0) - 1;
    case 'cost':
      return -(o.costFn * c.fn + o.costFp * c.fp);
  }
}

/** Constraint shortfalls at threshold t (empty = feasible). */
function shortfalls(o: ThresholdOptions, t: number, c: Confusion): { name: string; gap: number; text: string }[] {
  const r = rates(c);
  const out: { name: string; gap: number; text: string }[] = [];
  const check = (name: string, want: number | null, got: number | null): void => {
    if (want === null) return;
    const value = got ?? 0;
    if (value < want - 1e-12)
      out.push({ name, gap: want - value, text: `${name} ${want} not reachable (got ${value.toFixed(3)})` });
  };
  check('min_specificity', o.minSpecificity, r.specificity.value);
  check('min_sensitivity', o.minSensitivity, r.sensitivity.value);
  check('min_threshold', o.minThreshold, t);
  return out;
}

function describe(t: number, c: Confusion, feasible: boolean, notes: string[]): ThresholdChoice {
  const r = rates(c);
  return {
    threshold: t,
    feasible,
    notes,
    confusion: c,
    sensitivity: r.sensitivity.value,
    specificity: r.specificity.value,
    precision: r.precision.value,
    f1: r.f1.value,
  };
}

/** Chooses the threshold for one label from validation scores and 0/1 truth. */
export function chooseThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  o: ThresholdOptions,
): ThresholdChoice {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) positives++;
  if (positives === 0 || positives === labels.length) {
    const t = Math.max(o.fallback, o.minThreshold ?? 0);
    const why = positives === 0 ? 'no positive cases' : 'no negative cases';
    return describe(t, confusionAt(scores, labels, t), true, [
      `${why} in the validation split; using the fallback threshold ${t}`,
    ]);
  }
  const candidates = new Set<number>(Array.from(scores));
  candidates.add(1);
  if (o.minThreshold !== null) candidates.add(o.minThreshold);
  const sorted = [...candidates].sort((a, b) => b - a);
  let best: { t: number; c: Confusion; score: number; gap: number; notes: string[] } | null = null;
  for (const t of sorted) {
    const c = confusionAt(scores, labels, t);
    const misses = shortfalls(o, t, c);
    const gap = misses.reduce((s, m) => s + m.gap, 0);
    const score = objective(o, c);
    // Feasible beats infeasible; then smaller shortfall; then better objective; ties keep the higher t.
    const better =
      best === null || gap < best.gap - 1e-12 || (Math.abs(gap - best.gap) <= 1e-12 && score > best.score + 1e-12);
    if (better) best = { t, c, score, gap, notes: misses.map((m) => m.text) };
  }
  const b = best!;
  return describe(b.t, b.c, b.gap === 0, b.notes);
}

/** Reads the per-label thresholds of `metrics/thresholds.json`, in `labels` order. */
export function thresholdsFromJson(text: string, labels: readonly string[], file: string): number[] {
  let parsed: { labels?: Record<string, { threshold?: unknown }> };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (err) {
    throw new Error(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return labels.map((label) => {
    const t = parsed.labels?.[label]?.threshold;
    if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
      throw new Error(`${file} has no threshold in [0, 1] for label '${label}'; re-run tune_threshold`);
    }
    return t;
  });
}

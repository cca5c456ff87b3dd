/**
 * The evaluation report (`metrics/eval.json`) from test-split probabilities, truth and tuned thresholds.
 *
 * Per label: AUC-ROC with a percentile-bootstrap CI, average precision, and at 0.5 and at the tuned
 * threshold: sensitivity, specificity, precision, F1, accuracy, balanced accuracy, confusion counts.
 * Macro = mean over labels where defined; micro = pooled over all (image, label) pairs. For multiclass
 * also the argmax confusion matrix and per-class precision/recall/F1. An undefined value is `null` and
 * its reason is listed under `undefined`.
 *
 * Owns: the JSON shape. Does not own: metric maths (metrics.ts), files (the stage), CSVs (csv.ts).
 */
import type { Task } from '../data/preprocessed-format.js';
import { column } from './predict.js';
import {
  aucRoc,
  averagePrecision,
  bootstrapInterval,
  confusionAt,
  macro,
  rates,
  type Confusion,
  type Maybe,
} from './metrics.js';

export interface EvalInput {
  task: Task;
  labels: string[];
  /** N×L probabilities and 0/1 truth, row-major. */
  probs: Float32Array;
  truth: Float32Array;
  thresholds: number[];
  bootstrap: number;
  seed: number;
}

type Num = number | null;

/** Metrics at one threshold. */
export interface AtThreshold {
  threshold: number;
  sensitivity: Num;
  specificity: Num;
  precision: Num;
  f1: Num;
  accuracy: Num;
  balanced_accuracy: Num;
  confusion: Confusion;
  undefined?: Record<string, string>;
}

export interface LabelReport {
  label: string;
  positives: number;
  negatives: number;
  auc: Num;
  auc_ci95: [Num, Num];
  average_precision: Num;
  at_0_5: AtThreshold;
  at_tuned: AtThreshold;
  undefined?: Record<string, string>;
}

const r6 = (v: number | null): Num => (v === null ? null : Number(v.toFixed(6)));

function collect(entries: Record<string, Maybe>): { values: Record<string, Num>; reasons?: Record<string, string> } {
  const values: Record<string, Num> = {};
  const reasons: Record<string, string> = {};
  for (const [k, m] of Object.entries(entries)) {
    values[k] = r6(m.value);
    if (m.value === null && m.reason) reasons[k] = m.reason;
  }
  return Object.keys(reasons).length > 0 ? { values, reasons } : { values };
}

export function atThreshold(c: Confusion, threshold: number): AtThreshold {
  const r = rates(c);
  const { values, reasons } = collect({
    sensitivity: r.sensitivity,
    specificity: r.specificity,
    precision: r.precision,
    f1: r.f1,
    accuracy: r.accuracy,
    balanced_accuracy: r.balancedAccuracy,
  });
  return {
    threshold,
    ...(values as unknown as Omit<AtThreshold, 'threshold' | 'confusion'>),
    confusion: c,
    ...(reasons ? { undefined: reasons } : {}),
  };
}

function labelReport(input: EvalInput, l: number): LabelReport {
  const L = input.labels.length;
  const scores = column(input.probs, L, l);
  const truth = column(input.truth, L, l);
  const positives = truth.reduce((s, v) => s + (v > 0.5 ? 1 : 0), 0);
  const auc = aucRoc(scores, truth);
  const ap = averagePrecision(scores, truth);
  const ci = bootstrapInterval(scores, truth, aucRoc, { resamples: input.bootstrap, seed: input.seed + l });
  const { values, reasons } = collect({ auc, average_precision: ap });
  return {
    label: input.labels[l],
    positives,
    negatives: truth.length - positives,
    auc: values.auc ?? null,
    auc_ci95: [r6(auc.value === null ? null : ci.low), r6(auc.value === null ? null : ci.high)],
    average_precision: values.average_precision ?? null,
    at_0_5: atThreshold(confusionAt(scores, truth, 0.5), 0.5),
    at_tuned: atThreshold(confusionAt(scores, truth, input.thresholds[l]), input.thresholds[l]),
    ...(reasons ? { undefined: reasons } : {}),
  };
}

const RATE_KEYS = ['sensitivity', 'specificity', 'precision', 'f1', 'accuracy', 'balanced_accuracy'] as const;

function macroAt(reports: LabelReport[], key: 'at_0_5' | 'at_tuned'): Record<string, Num> {
  const out: Record<string, Num> = {};
  for (const k of RATE_KEYS) out[k] = r6(macro(reports.map((r) => ({ value: r[key][k] }))).value);
  return out;
}

function sumConfusion(reports: LabelReport[], key: 'at_0_5' | 'at_tuned'): Confusion {
  return reports.reduce(
    (s, r) => ({
      tp: s.tp + r[key].confusion.tp,
      fp: s.fp + r[key].confusion.fp,
      tn: s.tn + r[key].confusion.tn,
      fn: s.fn + r[key].confusion.fn,
    }),
    { tp: 0, fp: 0, tn: 0, fn: 0 },
  );
}

/** Macro AUC with a CI: resample images, average the per-label AUCs that are defined. */
function macroAucInterval(input: EvalInput): [Num, Num] {
  const L = input.labels.length;
  const cols = input.labels.map((_, l) => ({ s: column(input.probs, L, l), t: column(input.truth, L, l) }));
  const n = input.probs.length / L;
  const rows = Float64Array.from({ length: n }, (_, i) => i);
  const ci = bootstrapInterval(
    rows,
    rows,
    (idx) => {
      const per = cols.map(({ s, t }) =>
        aucRoc(
          Array.from(idx, (i) => s[i]),
          Array.from(idx, (i) => t[i]),
        ),
      );
      return macro(per);
    },
    { resamples: input.bootstrap, seed: input.seed + 1000 },
  );
  return [r6(ci.low), r6(ci.high)];
}

/** Multiclass: argmax confusion matrix and per-class precision/recall/F1. */
export function multiclassReport(labels: string[], probs: Float32Array, truth: Float32Array): object {
  const K = labels.length;
  const n = probs.length / K;
  const matrix = labels.map(() => new Array<number>(K).fill(0));
  const argmax = (a: Float32Array, i: number): number => {
    let best = 0;
    for (let k = 1; k < K; k++) if (a[i * K + k] > a[i * K + best]) best = k;
    return best;
  };
  for (let i = 0; i < n; i++) matrix[argmax(truth, i)][argmax(probs, i)] += 1;
  const perClass = labels.map((label, k) => {
    const tp = matrix[k][k];
    const actual = matrix[k].reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + row[k], 0);
    const precision: Maybe = predicted === 0 ? { value: null, reason: 'never predicted' } : { value: tp / predicted };
    const recall: Maybe = actual === 0 ? { value: null, reason: 'no cases of this class' } : { value: tp / actual };
    const f1: Maybe =
      actual + predicted === 0
        ? { value: null, reason: 'no cases and never predicted' }
        : { value: (2 * tp) / (actual + predicted) };
    const { values, reasons } = collect({ precision, recall, f1 });
    return { label, support: actual, ...values, ...(reasons ? { undefined: reasons } : {}) };
  });
  const correct = labels.reduce((s, _, k) => s + matrix[k][k], 0);
  const avg = (key: 'precision' | 'recall' | 'f1'): Num =>
    r6(macro(perClass.map((c) => ({ value: (c as unknown as Record<string, Num>)[key] ?? null }))).value);
  return {
    accuracy: n === 0 ? null : r6(correct / n),
    macro: { precision: avg('precision'), recall: avg('recall'), f1: avg('f1') },
    per_class: perClass,
    confusion_matrix: { labels, rows_actual_cols_predicted: matrix },
  };
}

/** The full `metrics/eval.json` object. */
export function evaluationReport(input: EvalInput): Record<string, unknown> {
  const L = input.labels.length;
  const n = input.probs.length / Math.max(1, L);
  const perLabel = input.labels.map((_, l) => labelReport(input, l));
  const micro = {
    auc: aucRoc(input.probs, input.truth),
    average_precision: averagePrecision(input.probs, input.truth),
  };
  const microValues = collect(micro);
  return {
    task: input.task,
    images: n,
    bootstrap_resamples: input.bootstrap,
    macro: {
      auc: r6(macro(perLabel.map((r) => ({ value: r.auc }))).value),
      auc_ci95: macroAucInterval(input),
      average_precision: r6(macro(perLabel.map((r) => ({ value: r.average_precision }))).value),
      at_0_5: macroAt(perLabel, 'at_0_5'),
      at_tuned: macroAt(perLabel, 'at_tuned'),
    },
    micro: {
      ...microValues.values,
      at_0_5: atThreshold(sumConfusion(perLabel, 'at_0_5'), 0.5),
      at_tuned: { ...atThreshold(sumConfusion(perLabel, 'at_tuned'), NaN), threshold: 'per-label' },
      ...(microValues.reasons ? { undefined: microValues.reasons } : {}),
    },
    labels: perLabel,
    ...(input.task === 'multiclass' ? { multiclass: multiclassReport(input.labels, input.probs, input.truth) } : {}),
  };
}

/**
 * The plot and prediction CSVs written by `evaluate` (long format, one header line, `\n` endings).
 *
 * - `plots/roc.csv`: label,threshold,fpr,tpr (threshold `inf` is the (0, 0) corner).
 * - `plots/pr.csv`: label,threshold,recall,precision.
 * - `plots/confusion.csv`: label,at,actual,predicted,count — `at` is `0.5` or `tuned` for per-label
 *   counts (actual/predicted are `positive`/`negative`), `argmax` for the multiclass matrix (class names).
 * - `reports/predictions.csv`: id,<label>... with each probability printed as the shortest decimal
 *   that reads back as the same float32 value ({@link formatProbability}), so `xpipe predict` can
 *   compare exactly.
 *
 * Owns: these formats. Does not own: the numbers.
 */
import type { Confusion } from './metrics.js';
import { prCurve, rocCurve } from './metrics.js';
import { column } from './predict.js';

/** A float32 probability as text; `Number(text)` gives back the float32 value exactly (Math.fround). */
export function formatProbability(p: number): string {
  return String(Math.fround(p));
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function num(v: number): string {
  return v === Infinity ? 'inf' : String(Number(v.toPrecision(7)));
}

export function rocCsv(labels: string[], probs: Float32Array, truth: Float32Array): string {
  const lines = ['label,threshold,fpr,tpr'];
  labels.forEach((label, l) => {
    for (const p of rocCurve(column(probs, labels.length, l), column(truth, labels.length, l))) {
      lines.push([csvField(label), num(p.threshold), num(p.fpr), num(p.tpr)].join(','));
    }
  });
  return lines.join('\n') + '\n';
}

export function prCsv(labels: string[], probs: Float32Array, truth: Float32Array): string {
  const lines = ['label,threshold,recall,precision'];
  labels.forEach((label, l) => {
    for (const p of prCurve(column(probs, labels.length, l), column(truth, labels.length, l))) {
      lines.push([csvField(label), num(p.threshold), num(p.recall), num(p.precision)].join(','));
    }
  });
  return lines.join('\n') + '\n';
}

/** Per-label counts at 0.5 and tuned, plus the multiclass matrix when given. */
export function confusionCsv(
  perLabel: { label: string; at_0_5: { confusion: Confusion }; at_tuned: { confusion: Confusion } }[],
  multiclass?: { labels: string[]; matrix: number[][] },
): string {
  const lines = ['label,at,actual,predicted,count'];
  for (const r of perLabel) {
    for (const [at, c] of [
      ['0.5', r.at_0_5.confusion],
      ['tuned', r.at_tuned.confusion],
    ] as const) {
      const l = csvField(r.label);
      lines.push(`${l},${at},positive,positive,${c.tp}`, `${l},${at},positive,negative,${c.fn}`);
      lines.push(`${l},${at},negative,positive,${c.fp}`, `${l},${at},negative,negative,${c.tn}`);
    }
  }
  if (multiclass) {
    multiclass.labels.forEach((actual, a) =>
      multiclass.labels.forEach((predicted, p) =>
        lines.push(`all,argmax,${csvField(actual)},${csvField(predicted)},${multiclass.matrix[a][p]}`),
      ),
    );
  }
  return lines.join('\n') + '\n';
}

export function predictionsCsv(ids: string[], labels: string[], probs: Float32Array): string {
  const L = labels.length;
  const lines = [['id', ...labels].map(csvField).join(',')];
  ids.forEach((id, i) => {
    const row = [csvField(id)];
    for (let l = 0; l < L; l++) row.push(formatProbability(probs[i * L + l]));
    lines.push(row.join(','));
  });
  return lines.join('\n') + '\n';
}

/**
 * The `calibration` section of `metrics/eval.json` and `plots/calibration.csv`, from test-split
 * probabilities (and, with temperature scaling, the same probabilities rescaled by T fitted on val).
 *
 * - eval.json `calibration`: the binning in words, per label ECE and Brier (one-vs-rest for multiclass),
 *   macro = their mean over labels; with `temperature` also T, the validation NLL before/after, and the same
 *   figures on the rescaled test probabilities (`after`).
 * - `plots/calibration.csv`: label,scaling,bin_low,bin_high,mean_predicted,fraction_positive,count: one
 *   row per non-empty bin; `scaling` is `none` or `temperature`, and `label` names the series (`Mass`, or
 *   `Mass (T=1.31)` for rescaled points) so the default chart draws one line per label and scaling.
 *
 * Owns: these shapes. Does not own: the maths (calibration.ts, temperature.ts), the PNG (reliability-png.ts).
 */
import { brierScore, expectedCalibrationError, reliabilityCurve, type ReliabilityBin } from './calibration.js';
import { column } from './predict.js';
import type { TemperatureFit } from './temperature.js';

type Num = number | null;
const r6 = (v: number | null): Num => (v === null ? null : Number(v.toFixed(6)));

/** Reliability curve of each label. */
export interface LabelCurves {
  labels: readonly string[];
  curves: ReliabilityBin[][];
}

export function labelCurves(labels: readonly string[], probs: Float32Array, truth: Float32Array, bins: number) {
  const L = labels.length;
  return {
    labels,
    curves: labels.map((_, l) => reliabilityCurve(column(probs, L, l), column(truth, L, l), bins)),
  } satisfies LabelCurves;
}

interface Figures {
  macro: { ece: Num; brier: Num };
  labels: { label: string; ece: Num; brier: Num }[];
}

function figures(labels: readonly string[], probs: Float32Array, truth: Float32Array, bins: number): Figures {
  const L = labels.length;
  const per = labels.map((label, l) => {
    const s = column(probs, L, l);
    const t = column(truth, L, l);
    return { label, ece: expectedCalibrationError(reliabilityCurve(s, t, bins)), brier: brierScore(s, t) };
  });
  const mean = (xs: (number | null)[]): Num => {
    const d = xs.filter((x): x is number => x !== null);
    return d.length === 0 ? null : d.reduce((a, b) => a + b, 0) / d.length;
  };
  return {
    macro: { ece: r6(mean(per.map((p) => p.ece))), brier: r6(mean(per.map((p) => p.brier))) },
    labels: per.map((p) => ({ label: p.label, ece: r6(p.ece), brier: r6(p.brier) })),
  };
}

export interface CalibrationInput {
  labels: readonly string[];
  probs: Float32Array;
  truth: Float32Array;
  bins: number;
  /** With temperature scaling: the fit on val and the rescaled test probabilities. */
  temperature?: { fit: TemperatureFit; valImages: number; probs: Float32Array };
}

/** The `calibration` object of eval.json. */
export function calibrationSection(input: CalibrationInput): Record<string, unknown> {
  const before = figures(input.labels, input.probs, input.truth, input.bins);
  const t = input.temperature;
  return {
    binning: `${input.bins} equal-width bins over [0, 1] (each (low, high], the first [0, high]); ECE weighted by bin count`,
    bins: input.bins,
    method: t ? 'temperature' : 'none',
    ...before,
    ...(t
      ? {
          temperature: {
            value: r6(t.fit.temperature),
            fitted_on: 'val',
            val_images: t.valImages,
            val_nll_before: r6(t.fit.nllBefore),
            val_nll_after: r6(t.fit.nllAfter),
          },
          after: figures(input.labels, t.probs, input.truth, input.bins),
        }
      : {}),
  };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const num = (v: number): string => String(Number(v.toPrecision(7)));

/** `plots/calibration.csv` from the raw curves and, optionally, the rescaled ones. */
export function calibrationCsv(raw: LabelCurves, scaled?: { temperature: number; curves: LabelCurves }): string {
  const lines = ['label,scaling,bin_low,bin_high,mean_predicted,fraction_positive,count'];
  const add = (curves: LabelCurves, scaling: string, suffix: string) =>
    curves.labels.forEach((label, l) => {
      for (const b of curves.curves[l] ?? []) {
        lines.push(
          [
            csvField(label + suffix),
            scaling,
            num(b.low),
            num(b.high),
            num(b.meanPredicted),
            num(b.fractionPositive),
            b.count,
          ].join(','),
        );
      }
    });
  add(raw, 'none', '');
  if (scaled) add(scaled.curves, 'temperature', ` (T=${scaled.temperature.toFixed(2)})`);
  return lines.join('\n') + '\n';
}

/**
 * The analyses `evaluate` adds to the test metrics: calibration (reliability curves, ECE, Brier, optional
 * temperature scaling fitted on val) and subgroup AUCs (when the split has metadata). Everything here
 * reads the test probabilities and leaves them unchanged: the AUC, AP and threshold metrics of
 * eval.json are always those of the model's own outputs.
 *
 * Owns: putting the pieces together into the eval.json sections and file contents. Does not own: scoring
 * (scoring.ts), the maths (calibration.ts, temperature.ts, subgroups.ts) or writing files (the stage).
 */
import type { ImageMeta, Task } from '../data/preprocessed-format.js';
import { calibrationCsv, calibrationSection, labelCurves } from './calibration-report.js';
import { expectedCalibrationError } from './calibration.js';
import type { EvaluateOptions } from './options.js';
import { reliabilityPng, type ReliabilityPanel } from './reliability-png.js';
import { subgroupCsv, subgroupMarkdown, subgroupSection } from './subgroup-table.js';
import { subgroupAucs } from './subgroups.js';
import { applyTemperature, fitTemperature } from './temperature.js';
import { brierScore } from './calibration.js';
import { column } from './predict.js';

/** One scored split: N×L logits, probabilities and truth. */
export interface ScoredSplit {
  n: number;
  logits: Float32Array;
  probs: Float32Array;
  truth: Float32Array;
  meta?: ImageMeta;
}

export interface AnalysesInput {
  task: Task;
  labels: readonly string[];
  test: ScoredSplit;
  /** The validation split; required for temperature scaling. */
  val?: ScoredSplit;
  options: EvaluateOptions;
}

export interface Analyses {
  calibration: Record<string, unknown>;
  subgroups: Record<string, unknown>;
  calibrationCsv: string;
  calibrationPng: Buffer;
  subgroupsCsv: string;
  subgroupsMarkdown: string;
  /** One line each for the stage log. */
  summary: string[];
}

export async function runAnalyses(input: AnalysesInput): Promise<Analyses> {
  const { labels, test, options: o } = input;
  const L = labels.length;
  const bins = o.calibrationBins;
  let temperature: Parameters<typeof calibrationSection>[0]['temperature'];
  if (o.calibrate === 'temperature') {
    if (!input.val) throw new Error('temperature scaling needs the validation split');
    const fit = fitTemperature(input.task, input.val.logits, input.val.truth, L);
    temperature = { fit, valImages: input.val.n, probs: applyTemperature(input.task, test.logits, L, fit.temperature) };
  }
  const calibration = calibrationSection({ labels, probs: test.probs, truth: test.truth, bins, temperature });
  const raw = labelCurves(labels, test.probs, test.truth, bins);
  const scaled = temperature && labelCurves(labels, temperature.probs, test.truth, bins);
  const panels: ReliabilityPanel[] = labels.map((label, l) => ({
    label,
    raw: raw.curves[l],
    ece: expectedCalibrationError(raw.curves[l]),
    brier: brierScore(column(test.probs, L, l), column(test.truth, L, l)),
    ...(scaled ? { scaled: scaled.curves[l], eceScaled: expectedCalibrationError(scaled.curves[l]) } : {}),
  }));
  const title = `Reliability on the test split (${bins} equal-width bins)${temperature ? `, T = ${temperature.fit.temperature.toFixed(2)} fitted on val` : ''}`;
  const groups = test.meta
    ? subgroupAucs(labels, test.probs, test.truth, test.meta, {
        bootstrap: o.bootstrap,
        seed: o.seed,
        ageBands: o.ageBands,
        minCases: o.subgroupMinCases,
      })
    : null;
  const table = { ageBands: o.ageBands, minCases: o.subgroupMinCases, bootstrap: o.bootstrap };
  const subgroups = subgroupSection(groups, table);
  const macro = calibration['macro'] as { ece: number; brier: number };
  const after = calibration['after'] as { macro: { ece: number; brier: number } } | undefined;
  const summary = [
    `calibration: macro ECE ${macro.ece.toFixed(4)}, Brier ${macro.brier.toFixed(4)}` +
      (after && temperature
        ? `; with T = ${temperature.fit.temperature.toFixed(3)} (fitted on val): ECE ${after.macro.ece.toFixed(4)}, Brier ${after.macro.brier.toFixed(4)}`
        : ''),
    groups === null
      ? 'subgroups: the test split has no view/sex/age metadata'
      : `subgroups: ${groups.length} (${groups.map((g) => g.id).join(', ')}); flagged: ${(subgroups['flagged'] as string[]).join('; ') || 'none'}`,
  ];
  return {
    calibration,
    subgroups,
    calibrationCsv: calibrationCsv(
      raw,
      scaled && temperature ? { temperature: temperature.fit.temperature, curves: scaled } : undefined,
    ),
    calibrationPng: await reliabilityPng(panels, title),
    subgroupsCsv: subgroupCsv(groups),
    subgroupsMarkdown: subgroupMarkdown(groups, table),
    summary,
  };
}

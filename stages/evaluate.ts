/**
 * Stage `evaluate`: models/model + data/preprocessed (test split) + metrics/thresholds.json →
 * metrics/eval.json, plots/roc.csv, plots/pr.csv, plots/confusion.csv, reports/predictions.csv, and the
 * calibration and subgroup analyses: plots/calibration.csv, reports/calibration.png, reports/subgroups.{csv,md}.
 *
 * The metrics are defined in src/ml/eval/report.ts; the CSV formats in src/ml/eval/csv.ts; calibration
 * and subgroups in src/ml/eval/analyses.ts. With `evaluate.calibrate: temperature` the validation split is
 * scored too (to fit T); every other figure is computed on the test split only.
 */
import { readFile } from 'node:fs/promises';
import { defineStage, StageInputError, type StageContext } from '../src/stage-api/index.js';
import { writeFileAtomic } from '../src/shared/atomic.js';
import { confusionCsv, predictionsCsv, prCsv, rocCsv } from '../src/ml/eval/csv.js';
import { parseEvaluateOptions } from '../src/ml/eval/options.js';
import { runAnalyses } from '../src/ml/eval/analyses.js';
import { evaluationReport, type LabelReport } from '../src/ml/eval/report.js';
import { scoreSplit } from '../src/ml/eval/scoring.js';
import { thresholdsFromJson } from '../src/ml/eval/thresholds.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { runtimeOptions } from '../src/ml/runtime/params.js';
import { declaredPaths } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';

const fmt = (v: unknown): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');

async function run(ctx: StageContext): Promise<void> {
  const options = parseEvaluateOptions(ctx.params);
  const PATHS = declaredPaths(ctx, [
    'preprocessed',
    'model',
    'thresholds',
    'evalMetrics',
    'roc',
    'pr',
    'confusion',
    'predictions',
    'calibration',
    'calibrationPng',
    'subgroupsCsv',
    'subgroupsTable',
  ]);
  const runtime = await initRuntime(runtimeOptions(ctx.params, (l) => ctx.log.info(l)));
  ctx.log.info(`scoring the test split with the ${runtime.backend} backend`);
  const { model, labelSpace, data, probs, logits } = await scoreSplit(
    ctx.path(PATHS.model),
    ctx.path(PATHS.preprocessed),
    'test',
    options.batchSize,
  );
  model.dispose();
  await data.close();
  let val: Awaited<ReturnType<typeof scoreSplit>> | undefined;
  if (options.calibrate === 'temperature') {
    ctx.log.info('scoring the validation split to fit the temperature');
    val = await scoreSplit(ctx.path(PATHS.model), ctx.path(PATHS.preprocessed), 'val', options.batchSize);
    val.model.dispose();
    await val.data.close();
  }
  const labels = labelSpace.labels;
  const thresholdsFile = ctx.path(PATHS.thresholds);
  const thresholds = thresholdsFromJson(await readFile(thresholdsFile, 'utf8'), labels, PATHS.thresholds);
  ctx.progress.start({ label: 'bootstrap', total: 1, unit: 'step' });
  const report = evaluationReport({
    task: labelSpace.task,
    labels,
    probs,
    truth: data.labels,
    thresholds,
    bootstrap: options.bootstrap,
    seed: options.seed,
  });
  const analyses = await runAnalyses({
    task: labelSpace.task,
    labels,
    test: { n: data.n, logits, probs, truth: data.labels, ...(data.meta ? { meta: data.meta } : {}) },
    ...(val ? { val: { n: val.data.n, logits: val.logits, probs: val.probs, truth: val.data.labels } } : {}),
    options,
  });
  ctx.progress.done();
  const perLabel = report.labels as LabelReport[];
  const mc = report.multiclass as
    { confusion_matrix: { labels: string[]; rows_actual_cols_predicted: number[][] } } | undefined;
  await Promise.all([
    writeFileAtomic(
      ctx.path(PATHS.evalMetrics),
      JSON.stringify({ ...report, calibration: analyses.calibration, subgroups: analyses.subgroups }, null, 2) + '\n',
    ),
    writeFileAtomic(ctx.path(PATHS.roc), rocCsv(labels, probs, data.labels)),
    writeFileAtomic(ctx.path(PATHS.pr), prCsv(labels, probs, data.labels)),
    writeFileAtomic(
      ctx.path(PATHS.confusion),
      confusionCsv(
        perLabel,
        mc ? { labels: mc.confusion_matrix.labels, matrix: mc.confusion_matrix.rows_actual_cols_predicted } : undefined,
      ),
    ),
    writeFileAtomic(ctx.path(PATHS.predictions), predictionsCsv(data.ids, labels, probs)),
    writeFileAtomic(ctx.path(PATHS.calibration), analyses.calibrationCsv),
    writeFileAtomic(ctx.path(PATHS.calibrationPng), analyses.calibrationPng),
    writeFileAtomic(ctx.path(PATHS.subgroupsCsv), analyses.subgroupsCsv),
    writeFileAtomic(ctx.path(PATHS.subgroupsTable), analyses.subgroupsMarkdown),
  ]);
  for (const r of perLabel) {
    const undefinedAuc = r.undefined?.auc ? ` (${r.undefined.auc})` : '';
    ctx.log.info(
      `${r.label}: AUC ${fmt(r.auc)}${undefinedAuc} [${fmt(r.auc_ci95[0])}, ${fmt(r.auc_ci95[1])}]  AP ${fmt(r.average_precision)}  ` +
        `at ${r.at_tuned.threshold.toFixed(3)}: sens ${fmt(r.at_tuned.sensitivity)} spec ${fmt(r.at_tuned.specificity)}`,
    );
  }
  const macro = report.macro as { auc: number | null; auc_ci95: [number | null, number | null] };
  ctx.log.info(
    `test macro AUC ${fmt(macro.auc)} [${fmt(macro.auc_ci95[0])}, ${fmt(macro.auc_ci95[1])}] on ${data.n} images`,
  );
  for (const line of analyses.summary) ctx.log.info(line);
}

export default defineStage({
  run: (ctx) =>
    asUserErrors(
      () => run(ctx),
      (message) => new StageInputError(message),
    ),
});

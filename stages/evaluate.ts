/**
 * Stage `evaluate`: models/model + data/preprocessed (test split) + metrics/thresholds.json →
 * metrics/eval.json, plots/roc.csv, plots/pr.csv, plots/confusion.csv, reports/predictions.csv.
 *
 * The metrics are defined in src/ml/eval/report.ts; the CSV formats in src/ml/eval/csv.ts.
 */
import { readFile } from 'node:fs/promises';
import { defineStage, StageInputError, type StageContext } from '../src/stage-api/index.js';
import { writeFileAtomic } from '../src/ml/shared/atomic.js';
import { confusionCsv, predictionsCsv, prCsv, rocCsv } from '../src/ml/eval/csv.js';
import { parseEvaluateOptions } from '../src/ml/eval/options.js';
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
  ]);
  const runtime = await initRuntime(runtimeOptions(ctx.params, (l) => ctx.log.info(l)));
  ctx.log.info(`scoring the test split with the ${runtime.backend} backend`);
  const { model, labelSpace, data, probs } = await scoreSplit(
    ctx.path(PATHS.model),
    ctx.path(PATHS.preprocessed),
    'test',
    options.batchSize,
  );
  model.dispose();
  await data.close();
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
  ctx.progress.done();
  const perLabel = report.labels as LabelReport[];
  const mc = report.multiclass as
    { confusion_matrix: { labels: string[]; rows_actual_cols_predicted: number[][] } } | undefined;
  await Promise.all([
    writeFileAtomic(ctx.path(PATHS.evalMetrics), JSON.stringify(report, null, 2) + '\n'),
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
}

export default defineStage({
  run: (ctx) =>
    asUserErrors(
      () => run(ctx),
      (message) => new StageInputError(message),
    ),
});

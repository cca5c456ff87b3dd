/**
 * Stage `train`: data/preprocessed → models/model, metrics/train.json, plots/train_history.csv.
 *
 * Reads params `model`, `train`, `loss`, `augment`, `runtime` (and `data.task` if declared, checked
 * against labels.json). Resumes from `<scratch>/checkpoints/<key>/` (ctx.scratchDir) after an interruption; see
 * src/ml/train/job.ts. All the work is in src/ml; this module maps params and progress.
 */
import path from 'node:path';
import { defineStage, StageInputError, type StageContext } from '../src/stage-api/index.js';
import { loadLabelSpace } from '../src/ml/data/dataset.js';
import { saveModel } from '../src/ml/io/model-files.js';
import { buildModel, loadPretrained } from '../src/ml/models/index.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { runtimeOptions } from '../src/ml/runtime/params.js';
import type { EpochRecord } from '../src/ml/train/checkpoint.js';
import { runTrainJob } from '../src/ml/train/job.js';
import { parseTrainStageOptions, resolveTask } from '../src/ml/train/options.js';
import { declaredPaths, WORK_DIRS } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';

const fmt = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(4));

async function run(ctx: StageContext): Promise<void> {
  const options = parseTrainStageOptions(ctx.params);
  const PATHS = declaredPaths(ctx, ['preprocessed', 'model', 'trainMetrics', 'trainHistory']);
  const arch = options.model.arch;
  const runtime = await initRuntime(runtimeOptions(ctx.params, (l) => ctx.log.info(l)));
  const dataDir = ctx.path(PATHS.preprocessed);
  const labelSpace = await loadLabelSpace(dataDir);
  const task = resolveTask(ctx.params, labelSpace.task);
  ctx.log.info(
    `training ${arch} for ${task} on ${labelSpace.labels.length} label(s) with the ${runtime.backend} backend`,
  );

  let epochs = options.train.epochs;
  const result = await runTrainJob({
    dataDir,
    labelSpace: { ...labelSpace, task },
    options,
    buildModel: async (inputSize, numClasses) => {
      const model = buildModel({ arch, inputSize, numClasses, seed: options.train.seed });
      if (options.model.pretrained) {
        const report = await loadPretrained(model, ctx.path(options.model.pretrained), (line) => ctx.log.info(line));
        ctx.log.info(`pretrained: loaded ${report.loaded.length} layer(s), skipped ${report.skipped.length}`);
      }
      return model;
    },
    saveModel,
    modelDir: ctx.path(PATHS.model),
    metricsFile: ctx.path(PATHS.trainMetrics),
    historyFile: ctx.path(PATHS.trainHistory),
    checkpointRoot: path.join(ctx.scratchDir, WORK_DIRS.checkpoints),
    backend: runtime.backend,
    signal: ctx.signal,
    reporter: {
      epochStart: (epoch, total, images) => {
        epochs = total;
        ctx.progress.start({ label: `epoch ${epoch + 1}/${total}`, total: images, unit: 'img' });
      },
      tick: (n) => ctx.progress.tick(n),
      epochEnd: (r: EpochRecord) =>
        ctx.progress.done(
          `loss ${fmt(r.loss)}  val_loss ${fmt(r.val_loss)}  val_auc ${fmt(r.val_auc)}  lr ${r.lr.toExponential(2)}`,
        ),
      log: (message) => ctx.log.info(message),
    },
  });
  ctx.log.info(
    `best epoch ${result.best.epoch}/${epochs} (${options.train.monitor}): val_auc ${fmt(result.best.val_auc)}, ` +
      `val_loss ${fmt(result.best.val_loss)}; ${result.epochsRun} epoch(s) run` +
      `${result.stoppedEarly ? ' (early stop)' : ''}, ${result.imagesPerSecond.toFixed(0)} img/s`,
  );
}

export default defineStage({
  run: (ctx) =>
    asUserErrors(
      () => run(ctx),
      (message) => new StageInputError(message),
    ),
});

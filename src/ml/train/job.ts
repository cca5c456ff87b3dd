/**
 * The whole `train` job between files: open the preprocessed train/val splits (read batch by batch), train with checkpoints,
 * write the model, `metrics/train.json` and `plots/train_history.csv`.
 *
 * Owns: the checkpoint folder's key (a hash of the data files and the options, so a changed input
 * never resumes a stale run) and the output formats. Does not own: building the model (injected, so
 * tests can pass a tiny one), backend choice, params parsing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { labelColumn, loadStats } from '../data/dataset.js';
import type { SplitIndex } from '../data/preprocessed-format.js';
import { openSplit, type SplitInfo, type SplitSource } from '../data/shard-reader.js';
import { aucRoc } from '../eval/metrics.js';
import { column, predictProbabilities } from '../eval/predict.js';
import { writeFileAtomic } from '../../shared/atomic.js';
import type { LabelSpace, PreprocessStats, Task } from '../data/preprocessed-format.js';
import { deleteCheckpoint, loadCheckpoint, saveCheckpoint, type EpochRecord } from './checkpoint.js';
import { fit, type FitReporter, type FitResult } from './fit.js';
import type { TrainStageOptions } from './options.js';

export interface TrainJob {
  /** Folder in the preprocessed format. */
  dataDir: string;
  labelSpace: LabelSpace;
  options: TrainStageOptions;
  /** Builds the (fresh, seeded) model for the data's image size and label count. */
  buildModel(inputSize: number, numClasses: number): Promise<tf.LayersModel>;
  saveModel(model: tf.LayersModel, dir: string): Promise<void>;
  modelDir: string;
  metricsFile: string;
  historyFile: string;
  /** Parent of the per-run checkpoint folders, e.g. `<root>/.xpipe/scratch/train/checkpoints`. */
  checkpointRoot: string;
  backend: string;
  reporter: FitReporter;
  signal?: AbortSignal;
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/**
 * Key of the checkpoint folder: data files + every option + the model architecture. A sharded split's
 * index lists each shard's SHA-256, so hashing the index covers the pixels without re-reading them; the
 * pre-shard layout hashes its `.bin` file.
 */
export async function checkpointKey(dataDir: string, options: TrainStageOptions): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(options));
  for (const name of ['labels.json', 'stats.json', 'train.json', 'val.json']) {
    hash.update(name);
    await hashFile(hash, path.join(dataDir, name));
  }
  for (const split of ['train', 'val'] as const) {
    const index = JSON.parse(await readFile(path.join(dataDir, `${split}.json`), 'utf8')) as SplitIndex;
    if (index.shards) continue;
    hash.update(`${split}.bin`);
    await hashFile(hash, path.join(dataDir, `${split}.bin`));
  }
  return hash.digest('hex').slice(0, 16);
}

/** `plots/train_history.csv`: one row per epoch. */
export function historyCsv(history: readonly EpochRecord[]): string {
  const fmt = (v: number | null): string => (v === null ? '' : String(Number(v.toPrecision(6))));
  const rows = history.map((h) =>
    [h.epoch, fmt(h.loss), fmt(h.val_loss), fmt(h.val_auc), fmt(h.lr), fmt(h.seconds)].join(','),
  );
  return ['epoch,loss,val_loss,val_auc,lr,seconds', ...rows].join('\n') + '\n';
}

/** Content of `metrics/train.json`. */
export function trainMetrics(
  job: TrainJob,
  task: Task,
  result: FitResult,
  train: SplitInfo,
  val: SplitInfo,
  perLabelAuc: Record<string, number | null>,
): object {
  const { options } = job;
  const round = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(6)));
  return {
    task,
    labels: job.labelSpace.labels,
    arch: options.model.arch,
    backend: job.backend,
    monitor: options.train.monitor,
    best_epoch: result.best.epoch,
    best: {
      loss: round(result.best.loss),
      val_loss: round(result.best.val_loss),
      val_auc: round(result.best.val_auc),
      val_ap: round(result.best.val_ap),
      val_auc_per_label: Object.fromEntries(Object.entries(perLabelAuc).map(([k, v]) => [k, round(v)])),
    },
    epochs_run: result.epochsRun,
    epochs_max: options.train.epochs,
    stopped_early: result.stoppedEarly,
    resumed_from_epoch: result.resumedEpochs > 0 ? result.resumedEpochs : null,
    images_per_second: Number(result.imagesPerSecond.toFixed(1)),
    train_images: train.n,
    val_images: val.n,
    class_weights: result.classWeights.map((w) => Number(w.toFixed(4))),
  };
}

/** Runs the job; returns the fit result (the outputs are written when it resolves). */
export async function runTrainJob(job: TrainJob): Promise<FitResult> {
  const task = job.labelSpace.task;
  const [train, val, stats] = await Promise.all([
    openSplit(job.dataDir, 'train'),
    openSplit(job.dataDir, 'val'),
    loadStats(job.dataDir),
  ]);
  try {
    return await trainOn(job, task, train, val, stats);
  } finally {
    await Promise.all([train.close(), val.close()]);
  }
}

async function trainOn(
  job: TrainJob,
  task: Task,
  train: SplitSource,
  val: SplitSource,
  stats: PreprocessStats,
): Promise<FitResult> {
  if (train.numLabels !== job.labelSpace.labels.length) {
    throw new Error(
      `train.json has ${train.numLabels} labels per row but labels.json lists ${job.labelSpace.labels.length}`,
    );
  }
  const model = await job.buildModel(train.height, train.numLabels);
  const ckptDir = path.join(job.checkpointRoot, await checkpointKey(job.dataDir, job.options));
  const result = await fit({
    model,
    task,
    train,
    val,
    stats,
    trainOptions: job.options.train,
    loss: job.options.loss,
    augment: job.options.augment,
    reporter: job.reporter,
    signal: job.signal,
    checkpoints: { load: () => loadCheckpoint(ckptDir), save: (s) => saveCheckpoint(ckptDir, s) },
  });
  // Per-label validation AUC of the kept (best) weights, for the metrics file.
  const probs = await predictProbabilities(model, val, stats, task);
  const perLabelAuc = Object.fromEntries(
    job.labelSpace.labels.map((label, l) => [
      label,
      aucRoc(column(probs, val.numLabels, l), labelColumn(val, l)).value,
    ]),
  );
  await job.saveModel(model, job.modelDir);
  model.dispose();
  const metrics = trainMetrics(job, task, result, train, val, perLabelAuc);
  await writeFileAtomic(job.metricsFile, JSON.stringify(metrics, null, 2) + '\n');
  await writeFileAtomic(job.historyFile, historyCsv(result.history));
  await deleteCheckpoint(ckptDir);
  return result;
}

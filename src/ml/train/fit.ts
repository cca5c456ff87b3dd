/**
 * The custom training loop: seeded sampling and augmentation of the training split, a weighted or
 * focal loss on logits, weight decay, a per-epoch learning-rate schedule, validation metrics after
 * every epoch, early stopping that restores the best epoch's weights, and a checkpoint per epoch.
 *
 * Owns: the order of work within an epoch and the state that must survive an interruption. Does
 * not own: model building, file outputs, progress rendering (an injected {@link FitReporter}).
 */
import * as tf from '@tensorflow/tfjs';
import type { PreprocessStats, Task } from '../data/preprocessed-format.js';
import { makeAugmenter, type AugmentOptions } from '../data/augment.js';
import { batches, labelColumn, makeInputs, makeTargets, range } from '../data/dataset.js';
import { prefetched } from '../data/prefetch.js';
import type { SplitSource } from '../data/shard-reader.js';
import { averagePrecision, aucRoc, macro } from '../eval/metrics.js';
import { column, inputChannels, logitsToProbabilities, predictLogits } from '../eval/predict.js';
import { getDropoutState, setDropoutState } from '../models/custom-layers.js';
import type { CheckpointState, EpochRecord, StoredTensor } from './checkpoint.js';
import { initialEarlyStopping, observe } from './early-stopping.js';
import { computeClassWeights, makeLoss, type LossFn } from './losses.js';
import { makeOptimizer } from './optimizer.js';
import type { LossOptions, TrainOptions } from './options.js';
import { Mulberry32 } from '../../shared/rng.js';
import { epochOrder } from './sampler.js';
import { initialScheduleState, learningRate, observeMetric, type ScheduleOptions } from './schedule.js';

/** Where the loop reports progress (the stage forwards to ctx.progress). */
export interface FitReporter {
  epochStart(epoch: number, epochs: number, images: number): void;
  tick(images: number): void;
  epochEnd(record: EpochRecord): void;
  log(message: string): void;
}

/** Where checkpoints go; omit to train without them. */
export interface CheckpointStore {
  load(): Promise<CheckpointState | null>;
  save(state: CheckpointState): Promise<void>;
}

export interface FitInput {
  model: tf.LayersModel;
  task: Task;
  /** Read batch by batch (shard-reader.ts), so memory does not grow with the split. */
  train: SplitSource;
  val: SplitSource;
  stats: Pick<PreprocessStats, 'mean' | 'std'>;
  trainOptions: TrainOptions;
  loss: LossOptions;
  augment: AugmentOptions;
  reporter?: FitReporter;
  checkpoints?: CheckpointStore;
  signal?: AbortSignal;
  /** Replaces the validation pass (tests script metric sequences with it). */
  validate?: (model: tf.LayersModel, epoch: number) => Promise<Pick<EpochRecord, 'val_loss' | 'val_auc' | 'val_ap'>>;
}

export interface FitResult {
  history: EpochRecord[];
  /** 0-based index into history of the epoch whose weights the model now holds. */
  bestEpoch: number;
  best: EpochRecord;
  epochsRun: number;
  stoppedEarly: boolean;
  imagesPerSecond: number;
  /** Epochs restored from a checkpoint (0 = fresh start). */
  resumedEpochs: number;
  classWeights: number[];
}

const silent: FitReporter = { epochStart() {}, tick() {}, epochEnd() {}, log() {} };

/** Async reads only: the webgpu backend has no synchronous download in Node (`dataSync` needs OffscreenCanvas). */
async function snapshot(model: tf.LayersModel): Promise<StoredTensor[]> {
  const weights = model.getWeights();
  const data = await Promise.all(weights.map((w) => w.data()));
  return weights.map((w, i) => ({ name: `w${i}`, shape: w.shape, data: Float32Array.from(data[i]) }));
}

function restoreWeights(model: tf.LayersModel, stored: StoredTensor[]): void {
  const tensors = stored.map((t) => tf.tensor(t.data, t.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** Validation loss, macro AUC and macro AP from one pass over the validation split. */
async function validate(
  input: FitInput,
  lossFn: LossFn,
): Promise<Pick<EpochRecord, 'val_loss' | 'val_auc' | 'val_ap'>> {
  const { model, val, stats, task } = input;
  const logits = await predictLogits(model, val, stats);
  const L = val.numLabels;
  const lossTensor = tf.tidy(() => lossFn(tf.tensor2d(val.labels, [val.n, L]), tf.tensor2d(logits, [val.n, L])));
  const valLoss = (await lossTensor.data())[0];
  lossTensor.dispose();
  const probs = logitsToProbabilities(task, logits, L);
  const aucs = [];
  const aps = [];
  for (let l = 0; l < L; l++) {
    const scores = column(probs, L, l);
    const truth = labelColumn(val, l);
    aucs.push(aucRoc(scores, truth));
    aps.push(averagePrecision(scores, truth));
  }
  return { val_loss: valLoss, val_auc: macro(aucs).value, val_ap: macro(aps).value };
}

function monitored(record: EpochRecord, monitor: TrainOptions['monitor']): number | null {
  return monitor === 'val_loss' ? record.val_loss : record[monitor];
}

function abortIfNeeded(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('training cancelled; the last finished epoch is checkpointed');
}

/** Trains `input.model` in place; on return it holds the best epoch's weights. */
export async function fit(input: FitInput): Promise<FitResult> {
  const { model, task, train, trainOptions: o } = input;
  const reporter = input.reporter ?? silent;
  const maximize = o.monitor !== 'val_loss';
  const classWeights = computeClassWeights(train.labels, train.numLabels, task, input.loss.posWeight);
  const lossFn = makeLoss(task, input.loss, classWeights);
  const sched: ScheduleOptions = { ...o, maximize };
  const opt = makeOptimizer(o.optimizer, o.lr, o.weightDecay, o.momentum);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const channels = inputChannels(model);
  const rng = new Mulberry32(o.seed);

  let state: CheckpointState = {
    epochsDone: 0,
    rngState: rng.state,
    history: [],
    earlyStopping: initialEarlyStopping(),
    schedule: initialScheduleState(sched),
    trainSeconds: 0,
    trainImages: 0,
    dropout: {},
    weights: [],
    bestWeights: null,
    optimizer: [],
  };
  const restored = await input.checkpoints?.load();
  if (restored) {
    state = restored;
    rng.state = restored.rngState;
    restoreWeights(model, restored.weights);
    setDropoutState(model, restored.dropout ?? {});
    if (restored.optimizer.length > 0) await opt.restore(restored.optimizer);
    reporter.log(`resuming training from the checkpoint after epoch ${restored.epochsDone}/${o.epochs}`);
  }
  const resumedEpochs = state.epochsDone;
  let stop = state.history.length > 0 && state.earlyStopping.wait >= o.patience;

  try {
    for (let epoch = state.epochsDone; epoch < o.epochs && !stop; epoch++) {
      abortIfNeeded(input.signal);
      const lr = learningRate(sched, state.schedule, epoch);
      opt.setLearningRate(lr);
      const order = epochOrder(o.sampler, train.labels, train.numLabels, rng);
      const augment = makeAugmenter(input.augment, () => rng.next());
      reporter.epochStart(epoch, o.epochs, order.length);
      const started = performance.now();
      let lossSum = 0;
      const list = batches(order, o.batchSize);
      // Reads run ahead in a bounded queue; augmentation stays here, in batch order, so the RNG draws
      // (and hence the weights) are exactly those of a loop over an in-memory split.
      for await (const batch of prefetched(list.length, (k) => train.read(list[k]))) {
        abortIfNeeded(input.signal);
        const x = makeInputs(batch, range(batch.n), input.stats, channels, augment);
        const y = makeTargets(batch, range(batch.n));
        const cost = opt.optimizer.minimize(
          () => {
            const logits = model.apply(x, { training: true }) as tf.Tensor2D;
            return tf.add<tf.Scalar>(lossFn(y, logits), opt.penalty(vars));
          },
          true,
          vars,
        );
        opt.afterStep(vars);
        lossSum += (await cost!.data())[0] * batch.n;
        tf.dispose([x, y, cost!]);
        reporter.tick(batch.n);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const trainSeconds = (performance.now() - started) / 1000;
      const metrics = input.validate ? await input.validate(model, epoch) : await validate(input, lossFn);
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / order.length,
        ...metrics,
        lr,
        seconds: (performance.now() - started) / 1000,
      };
      const decision = observe(
        { patience: o.patience, minDelta: o.minDelta, maximize },
        state.earlyStopping,
        epoch,
        monitored(record, o.monitor),
        record.val_loss,
      );
      stop = decision.stop;
      state = {
        epochsDone: epoch + 1,
        rngState: rng.state,
        history: [...state.history, record],
        earlyStopping: decision.state,
        schedule: observeMetric(sched, state.schedule, monitored(record, o.monitor)),
        trainSeconds: state.trainSeconds + trainSeconds,
        trainImages: state.trainImages + order.length,
        dropout: getDropoutState(model),
        weights: await snapshot(model),
        bestWeights: decision.improved ? await snapshot(model) : state.bestWeights,
        optimizer: await opt.save(),
      };
      reporter.epochEnd(record);
      if (input.checkpoints) await input.checkpoints.save(state);
    }
  } finally {
    opt.dispose();
  }

  const bestEpoch = state.bestWeights ? state.earlyStopping.bestEpoch : state.history.length - 1;
  if (state.bestWeights) restoreWeights(model, state.bestWeights);
  return {
    history: state.history,
    bestEpoch,
    best: state.history[bestEpoch],
    epochsRun: state.history.length,
    stoppedEarly: state.history.length < o.epochs,
    imagesPerSecond: state.trainSeconds > 0 ? state.trainImages / state.trainSeconds : 0,
    resumedEpochs,
    classWeights,
  };
}

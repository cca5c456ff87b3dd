/**
 * Loads the trained model and opens the preprocessed data of one split and scores every image: the shared
 * first step of `tune_threshold`, `evaluate` and `explain` (`embed` loads through `loadModelAndSplit` and
 * scores in its own pass).
 *
 * Owns: checking that the model and the data agree (label count, input size). Does not own: the
 * backend (initialise the runtime first) or what is done with the scores.
 */
import type * as tf from '@tensorflow/tfjs';
import { loadLabelSpace, loadStats, type SplitName } from '../data/dataset.js';
import { openSplit, type SplitSource } from '../data/shard-reader.js';
import type { LabelSpace, PreprocessStats } from '../data/preprocessed-format.js';
import { loadModel } from '../io/model-files.js';
import { logitsToProbabilities, predictLogits } from './predict.js';

export interface Scored {
  model: tf.LayersModel;
  labelSpace: LabelSpace;
  stats: PreprocessStats;
  /** The split, open for reading single images (close it when done). */
  data: SplitSource;
  /** N×L probabilities. */
  probs: Float32Array;
  /** N×L logits the probabilities came from (temperature scaling divides these). */
  logits: Float32Array;
}

/** The model and one split's data, checked to agree (label count, input size), not yet scored. */
export type Loaded = Omit<Scored, 'probs' | 'logits'>;

/** Loads the model, label space, stats and one split, and checks that the model fits the data. */
export async function loadModelAndSplit(modelDir: string, dataDir: string, split: SplitName): Promise<Loaded> {
  const [model, labelSpace, stats, data] = await Promise.all([
    loadModel(modelDir),
    loadLabelSpace(dataDir),
    loadStats(dataDir),
    openSplit(dataDir, split),
  ]);
  const outputs = model.outputs[0]?.shape[1];
  if (outputs !== labelSpace.labels.length) {
    throw new Error(
      `the model in ${modelDir} has ${String(outputs)} outputs but labels.json lists ${labelSpace.labels.length} labels; re-run train`,
    );
  }
  const inputShape = model.inputs[0]?.shape;
  if (inputShape?.[1] !== data.height || inputShape?.[2] !== data.width) {
    throw new Error(
      `the model expects ${String(inputShape?.[1])}×${String(inputShape?.[2])} images but ${split} holds ${data.height}×${data.width}; re-run train`,
    );
  }
  return { model, labelSpace, stats, data };
}

export async function scoreSplit(modelDir: string, dataDir: string, split: SplitName, batchSize = 64): Promise<Scored> {
  const loaded = await loadModelAndSplit(modelDir, dataDir, split);
  const logits = await predictLogits(loaded.model, loaded.data, loaded.stats, batchSize);
  const probs = logitsToProbabilities(loaded.labelSpace.task, logits, loaded.labelSpace.labels.length);
  return { ...loaded, probs, logits };
}

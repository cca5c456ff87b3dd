/**
 * Loads the trained model, opens the preprocessed data of one split and scores every image: the shared
 * first step of `tune_threshold`, `evaluate` and `explain`.
 *
 * Owns: checking that the model and the data agree (label count, input size). Does not own: the
 * backend (initialise the runtime first) or what is done with the scores.
 */
import type * as tf from '@tensorflow/tfjs';
import { loadLabelSpace, loadStats, type SplitName } from '../data/dataset.js';
import { openSplit, type SplitSource } from '../data/shard-reader.js';
import type { LabelSpace, PreprocessStats } from '../data/preprocessed-format.js';
import { loadModel } from '../io/model-files.js';
import { predictProbabilities } from './predict.js';

export interface Scored {
  model: tf.LayersModel;
  labelSpace: LabelSpace;
  stats: PreprocessStats;
  /** The split, open for reading single images (close it when done). */
  data: SplitSource;
  /** N×L probabilities. */
  probs: Float32Array;
}

export async function scoreSplit(modelDir: string, dataDir: string, split: SplitName, batchSize = 64): Promise<Scored> {
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
  const probs = await predictProbabilities(model, data, stats, labelSpace.task, batchSize);
  return { model, labelSpace, stats, data, probs };
}

/**
 * Runs a model over a whole split in batches and returns probabilities (or logits) as one N×L array.
 * Used by validation during training, threshold tuning, evaluation and explanation, so every stage
 * scores images the same way. Batches are read from the split's shards through a bounded prefetch queue,
 * so only the N×L scores grow with the split.
 *
 * Owns: batched inference without leaks. Does not own: normalisation (data/dataset.ts makeInputs).
 */
import * as tf from '@tensorflow/tfjs';
import type { PreprocessStats, Task } from '../data/preprocessed-format.js';
import { batches, makeInputs, range } from '../data/dataset.js';
import { prefetched } from '../data/prefetch.js';
import type { SplitSource } from '../data/shard-reader.js';

/** Number of input channels the model expects (last dim of its input shape; 1 when unknown). */
export function inputChannels(model: tf.LayersModel): number {
  const shape = model.inputs[0]?.shape;
  return shape?.[shape.length - 1] ?? 1;
}

/** Logits N×L (row-major) for every image of `data`, in index order. */
export async function predictLogits(
  model: tf.LayersModel,
  data: SplitSource,
  stats: Pick<PreprocessStats, 'mean' | 'std'>,
  batchSize = 64,
): Promise<Float32Array> {
  const channels = inputChannels(model);
  let out: Float32Array | null = null;
  let offset = 0;
  const list = batches(range(data.n), batchSize);
  for await (const batch of prefetched(list.length, (k) => data.read(list[k]))) {
    const logits = tf.tidy(() => {
      const x = makeInputs(batch, range(batch.n), stats, channels);
      return model.predict(x, { batchSize }) as tf.Tensor2D;
    });
    const values = (await logits.data()) as Float32Array;
    const width = logits.shape[1];
    logits.dispose();
    out ??= new Float32Array(data.n * width);
    out.set(values, offset);
    offset += values.length;
  }
  return out ?? new Float32Array(0);
}

/** Sigmoid (multilabel/binary) or row-wise softmax (multiclass) of N×L logits, in plain numbers. */
export function logitsToProbabilities(task: Task, logits: Float32Array, numLabels: number): Float32Array {
  const out = new Float32Array(logits.length);
  if (task !== 'multiclass') {
    for (let i = 0; i < logits.length; i++) out[i] = 1 / (1 + Math.exp(-logits[i]));
    return out;
  }
  for (let r = 0; r < logits.length / numLabels; r++) {
    let max = -Infinity;
    for (let c = 0; c < numLabels; c++) max = Math.max(max, logits[r * numLabels + c]);
    let sum = 0;
    for (let c = 0; c < numLabels; c++) sum += Math.exp(logits[r * numLabels + c] - max);
    for (let c = 0; c < numLabels; c++) out[r * numLabels + c] = Math.exp(logits[r * numLabels + c] - max) / sum;
  }
  return out;
}

/** Probabilities N×L for every image of `data`. */
export async function predictProbabilities(
  model: tf.LayersModel,
  data: SplitSource,
  stats: Pick<PreprocessStats, 'mean' | 'std'>,
  task: Task,
  batchSize = 64,
): Promise<Float32Array> {
  const logits = await predictLogits(model, data, stats, batchSize);
  return logitsToProbabilities(task, logits, logits.length / Math.max(1, data.n));
}

/** Column `label` of an N×L row-major array. */
export function column(values: Float32Array, numLabels: number, label: number): Float32Array {
  const n = values.length / numLabels;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i * numLabels + label];
  return out;
}

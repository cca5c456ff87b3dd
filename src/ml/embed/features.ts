/**
 * Penultimate-layer embeddings: the input of the model's final dense (logits) layer, for chosen images
 * of a split, together with the model's probabilities from the same forward pass.
 *
 * Owns: finding the penultimate layer of any zoo architecture and batched extraction without leaks.
 * Does not own: loading (eval/scoring.ts), normalisation (data/dataset.ts makeInputs), the projection.
 */
import * as tf from '@tensorflow/tfjs';
import { batches, makeInputs, type SplitData } from '../data/dataset.js';
import type { PreprocessStats, Task } from '../data/preprocessed-format.js';
import { inputChannels, logitsToProbabilities } from '../eval/predict.js';

type Inbound = { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] };

function inboundOf(layer: tf.layers.Layer): tf.layers.Layer[] {
  return (layer as unknown as Inbound).inboundNodes[0]?.inboundLayers ?? [];
}

/**
 * The layer whose output feeds the model's last Dense layer (walking back over any activation after it):
 * e.g. `dropout2` (= ReLU(fc1) at inference, 512-d) for chestnet_s, `avgpool` or `head_dropout` for the
 * other architectures.
 */
export function penultimateLayer(model: tf.LayersModel): tf.layers.Layer {
  let layer = model.outputLayers[0] ?? model.layers[model.layers.length - 1];
  while (layer && layer.getClassName() !== 'Dense') layer = inboundOf(layer)[0];
  const source = layer ? inboundOf(layer)[0] : undefined;
  const shape = source?.outputShape;
  if (!source || !Array.isArray(shape) || shape.length !== 2) {
    throw new Error(`model ${model.name} has no dense output layer fed by a flat feature vector`);
  }
  return source;
}

/** What {@link extractEmbeddings} returns, rows in the order of the requested indices. */
export interface Embeddings {
  /** Name of the penultimate layer. */
  layer: string;
  /** Feature dimension D. */
  dim: number;
  /** N×D features, row-major. */
  features: Float32Array;
  /** N×L probabilities (sigmoid or softmax, as the evaluation computes them). */
  probs: Float32Array;
}

export async function extractEmbeddings(
  model: tf.LayersModel,
  data: SplitData,
  indices: readonly number[],
  stats: Pick<PreprocessStats, 'mean' | 'std'>,
  task: Task,
  batchSize = 64,
): Promise<Embeddings> {
  const layer = penultimateLayer(model);
  const dim = (layer.outputShape as number[])[1];
  const numLabels = model.outputs[0]?.shape[1] as number;
  // Shares its layers and weights with `model`: nothing of its own to dispose.
  const twoHeaded = tf.model({
    inputs: model.inputs,
    outputs: [layer.output as tf.SymbolicTensor, model.outputs[0]],
  });
  const channels = inputChannels(model);
  const features = new Float32Array(indices.length * dim);
  const logits = new Float32Array(indices.length * numLabels);
  let row = 0;
  for (const batch of batches(indices, batchSize)) {
    const [f, l] = tf.tidy(() => twoHeaded.predict(makeInputs(data, batch, stats, channels)) as tf.Tensor[]);
    features.set(await f.data(), row * dim);
    logits.set(await l.data(), row * numLabels);
    tf.dispose([f, l]);
    row += batch.length;
  }
  return { layer: layer.name, dim, features, probs: logitsToProbabilities(task, logits, numLabels) };
}

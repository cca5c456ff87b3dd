/**
 * Grad-CAM (Selvaraju et al.): the feature map A of a convolutional layer weighted by the spatial mean
 * of ∂logit_c/∂A, summed over channels, ReLU'd and scaled to [0, 1].
 *
 * The gradient with respect to an inner activation needs the part of the model after that layer as a
 * function of A: {@link splitAt} replays the layers after the target in topological order (inputs
 * from earlier layers, e.g. a residual shortcut, are computed once and held constant).
 *
 * Owns: the split and the CAM maths. Does not own: choosing the layer (models/lastConvLayerName),
 * upsampling and drawing (overlay.ts).
 */
import * as tf from '@tensorflow/tfjs';

/** The model cut after one layer: features (A plus constants) and the head A → logits. */
export interface SplitModel {
  features(x: tf.Tensor4D): { a: tf.Tensor4D; constants: Map<string, tf.Tensor> };
  head(a: tf.Tensor4D, constants: Map<string, tf.Tensor>): tf.Tensor2D;
  dispose(): void;
}

type Inbound = { inboundNodes: { inboundLayers: tf.layers.Layer[] }[] };

function inboundOf(layer: tf.layers.Layer): tf.layers.Layer[] {
  return (layer as unknown as Inbound).inboundNodes[0]?.inboundLayers ?? [];
}

export function splitAt(model: tf.LayersModel, layerName: string): SplitModel {
  const index = model.layers.findIndex((l) => l.name === layerName);
  if (index < 0) throw new Error(`model ${model.name} has no layer named '${layerName}'`);
  const target = model.layers[index];
  const after = model.layers.slice(index + 1);
  const replayed = new Set(after.map((l) => l.name));
  const externals = new Map<string, tf.layers.Layer>();
  for (const layer of after) {
    for (const src of inboundOf(layer)) {
      if (src.name !== layerName && !replayed.has(src.name)) externals.set(src.name, src);
    }
  }
  const externalLayers = [...externals.values()];
  const outputs = [target.output as tf.SymbolicTensor, ...externalLayers.map((l) => l.output as tf.SymbolicTensor)];
  const featureModel = tf.model({ inputs: model.inputs, outputs });
  const outputName = model.outputLayers[0]?.name ?? after[after.length - 1].name;
  return {
    features(x) {
      const result = featureModel.predict(x);
      const list = Array.isArray(result) ? result : [result];
      const constants = new Map<string, tf.Tensor>();
      externalLayers.forEach((l, i) => constants.set(l.name, list[i + 1]));
      return { a: list[0] as tf.Tensor4D, constants };
    },
    head(a, constants) {
      const values = new Map<string, tf.Tensor>(constants);
      values.set(layerName, a);
      let last: tf.Tensor = a;
      for (const layer of after) {
        const inputs = inboundOf(layer).map((src) => values.get(src.name) as tf.Tensor);
        last = layer.apply(inputs.length === 1 ? inputs[0] : inputs, { training: false }) as tf.Tensor;
        values.set(layer.name, last);
      }
      return (values.get(outputName) ?? last) as tf.Tensor2D;
    },
    dispose() {
      // featureModel shares its layers (and weights) with `model`; nothing of its own to free.
    },
  };
}

/**
 * Grad-CAM maps for a batch of inputs and one class per image. Returns [B, h, w] in [0, 1] at the
 * feature-map resolution (all zero when no location has positive evidence).
 */
export function gradCam(
  split: SplitModel,
  x: tf.Tensor4D,
  classes: readonly number[],
  numClasses: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const { a, constants } = split.features(x);
    // Built by hand rather than with tf.oneHot, which rejects depth 1 (a binary task has one logit).
    const mask = tf.tensor2d(
      classes.map((c) => Array.from({ length: numClasses }, (_, k) => (k === c ? 1 : 0))),
      [classes.length, numClasses],
    );
    const grads = tf.grad((feat: tf.Tensor) => tf.sum(tf.mul(split.head(feat as tf.Tensor4D, constants), mask)))(a);
    const weights = tf.mean(grads, [1, 2], true); // [B, 1, 1, C]
    const cam = tf.relu(tf.sum(tf.mul(a, weights), 3)); // [B, h, w]
    const max = tf.max(cam, [1, 2], true);
    return tf.div<tf.Tensor3D>(cam, tf.maximum(max, 1e-8));
  });
}

/**
 * The model zoo: pure builders for every architecture the pipeline can train, all taking a single-channel
 * square image of any size and returning LOGITS (no final activation; apply sigmoid/softmax in the loss
 * or when predicting). Weights are initialised from `seed` only, so the same options give the same model.
 *
 * Owns: the `Arch` union, option validation, the Grad-CAM layer of each architecture and transfer learning.
 * Does not own: training (src/ml/train), backends (src/ml/runtime), files (src/ml/io).
 *
 * Layer names are stable (`block1_conv`, `layer2_0_bn1`, `logits`, …) so pretrained weights and Grad-CAM
 * can address them. Call `initRuntime()` before building.
 */
import * as tf from '@tensorflow/tfjs';
import { ARCHS, invalid, type Arch } from '../params/index.js';
import { buildChestNetS, CHESTNET_S_CAM_LAYER } from './chestnet-s.js';
import { registerCustomLayers } from './custom-layers.js';
import { buildEfficientNetB0, EFFICIENTNET_B0_CAM_LAYER } from './efficientnet.js';
import { buildMobileNetV3Small, MOBILENET_V3_CAM_LAYER } from './mobilenet-v3.js';
import { buildResNet, resnetCamLayer } from './resnet.js';

export { loadPretrained, type PretrainedReport } from './transfer.js';
export { getDropoutState, setDropoutState } from './custom-layers.js';

/** Architectures of the zoo (params `model.arch`); the union lives with the other enums in src/ml/params. */
export { ARCHS, type Arch };

/** A positive integer, or the standard error naming `field`. */
function positiveInt(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  return invalid('positive integer', field, value);
}

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  arch: Arch;
  /** Height = width of the single-channel input, in pixels. */
  inputSize: number;
  /** Number of logits. */
  numClasses: number;
  /** Seed of every initialiser and dropout mask. */
  seed: number;
}

/** Smallest input each architecture accepts (its total downsampling). */
export const MIN_INPUT_SIZE: Readonly<Record<Arch, number>> = {
  chestnet_s: 8,
  resnet18: 32,
  resnet34: 32,
  mobilenet_v3_small: 32,
  efficientnet_b0: 32,
};

const CAM_LAYERS: Readonly<Record<Arch, string>> = {
  chestnet_s: CHESTNET_S_CAM_LAYER,
  resnet18: resnetCamLayer('resnet18'),
  resnet34: resnetCamLayer('resnet34'),
  mobilenet_v3_small: MOBILENET_V3_CAM_LAYER,
  efficientnet_b0: EFFICIENTNET_B0_CAM_LAYER,
};

/** Builds an untrained model (logits) from seeded initialisers. Throws the standard error on bad options. */
export function buildModel(options: BuildModelOptions): tf.LayersModel {
  // re-checked here because buildModel is also a library entry point (tests, bench), not only the stage
  const arch = options.arch;
  if (!(ARCHS as readonly string[]).includes(arch)) invalid(`one of ${ARCHS.join(' | ')}`, 'model.arch', arch);
  const inputSize = positiveInt(options.inputSize, 'inputSize');
  if (inputSize < MIN_INPUT_SIZE[arch]) invalid(`integer >= ${MIN_INPUT_SIZE[arch]} (${arch})`, 'inputSize', inputSize);
  const numClasses = positiveInt(options.numClasses, 'numClasses');
  if (!Number.isInteger(options.seed)) invalid('integer', 'seed', options.seed);
  registerCustomLayers();
  const o = { inputSize, numClasses, seed: options.seed };
  switch (arch) {
    case 'chestnet_s':
      return buildChestNetS(o);
    case 'resnet18':
    case 'resnet34':
      return buildResNet(arch, o);
    case 'mobilenet_v3_small':
      return buildMobileNetV3Small(o);
    case 'efficientnet_b0':
      return buildEfficientNetB0(o);
  }
}

/**
 * Name of the layer whose output feature map Grad-CAM should use: the architecture's last convolutional
 * activation (e.g. `block3_relu` for chestnet_s), or else the last layer with a rank-4 output.
 */
export function lastConvLayerName(model: tf.LayersModel): string {
  const known = (CAM_LAYERS as Record<string, string | undefined>)[model.name];
  if (known !== undefined && model.layers.some((l) => l.name === known)) return known;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    const shape = layer.outputShape;
    if (Array.isArray(shape) && shape.length === 4 && !Array.isArray(shape[0])) return layer.name;
  }
  throw new Error(`model ${model.name} has no layer with a 4-D (feature map) output`);
}

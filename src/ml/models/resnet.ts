/**
 * ResNet-18 / ResNet-34 (BasicBlocks) with a grayscale stem, torchvision layout and names with `_` for `.`:
 * `conv1`, `bn1`, `relu`, `maxpool`, `layer{1..4}_{i}_{conv1,bn1,relu1,conv2,bn2,add,out}`,
 * `layer{L}_0_downsample_{conv,bn}`, `avgpool`, `logits`. Grad-CAM layer: the last block's `_out`.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv, poolHead, Seeds, type SymbolicTensor } from './blocks.js';

const DEPTHS = { resnet18: [2, 2, 2, 2], resnet34: [3, 4, 6, 3] } as const;
export type ResNetArch = keyof typeof DEPTHS;

export function resnetCamLayer(arch: ResNetArch): string {
  return `layer4_${DEPTHS[arch][3] - 1}_out`;
}

function basicBlock(x: SymbolicTensor, filters: number, stride: number, name: string, seeds: Seeds): SymbolicTensor {
  let y = conv(x, { name: `${name}_conv1`, filters, kernel: 3, strides: stride }, seeds);
  y = batchNorm(y, `${name}_bn1`);
  y = tf.layers.reLU({ name: `${name}_relu1` }).apply(y) as SymbolicTensor;
  y = conv(y, { name: `${name}_conv2`, filters, kernel: 3 }, seeds);
  y = batchNorm(y, `${name}_bn2`);
  let shortcut = x;
  if (stride !== 1 || x.shape[3] !== filters) {
    shortcut = conv(x, { name: `${name}_downsample_conv`, filters, kernel: 1, strides: stride }, seeds);
    shortcut = batchNorm(shortcut, `${name}_downsample_bn`);
  }
  const sum = tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as SymbolicTensor;
  return tf.layers.reLU({ name: `${name}_out` }).apply(sum) as SymbolicTensor;
}

export function buildResNet(
  arch: ResNetArch,
  o: { inputSize: number; numClasses: number; seed: number },
): tf.LayersModel {
  const seeds = new Seeds(o.seed);
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 1], name: 'input' });
  let x = conv(input, { name: 'conv1', filters: 64, kernel: 7, strides: 2 }, seeds);
  x = batchNorm(x, 'bn1');
  x = tf.layers.reLU({ name: 'relu' }).apply(x) as SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'maxpool' }).apply(x) as SymbolicTensor;
  DEPTHS[arch].forEach((blocks, l) => {
    const filters = 64 * 2 ** l;
    for (let i = 0; i < blocks; i++) {
      x = basicBlock(x, filters, i === 0 && l > 0 ? 2 : 1, `layer${l + 1}_${i}`, seeds);
    }
  });
  return tf.model({ inputs: input, outputs: poolHead(x, o.numClasses, seeds), name: arch });
}

/**
 * ChestNetS, exactly as the source project: three blocks conv3×3 (32, 64, 128, `same`) + batch-norm + ReLU
 * + max-pool 2, then flatten, dropout 0.5, dense 512 + ReLU, dropout 0.5, dense N (logits).
 * Grad-CAM layer: `block3_relu` (the last conv feature map before pooling).
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv, dense, dropout, Seeds, type SymbolicTensor } from './blocks.js';

export const CHESTNET_S_CAM_LAYER = 'block3_relu';

export function buildChestNetS(o: { inputSize: number; numClasses: number; seed: number }): tf.LayersModel {
  const seeds = new Seeds(o.seed);
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 1], name: 'input' });
  let x: SymbolicTensor = input;
  [32, 64, 128].forEach((filters, i) => {
    const b = `block${i + 1}`;
    x = conv(x, { name: `${b}_conv`, filters, kernel: 3, useBias: true }, seeds);
    x = batchNorm(x, `${b}_bn`);
    x = tf.layers.reLU({ name: `${b}_relu` }).apply(x) as SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `${b}_pool` }).apply(x) as SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
  x = dropout(x, 0.5, 'dropout1', seeds);
  x = dense(x, 512, 'fc1', seeds);
  x = tf.layers.reLU({ name: 'fc1_relu' }).apply(x) as SymbolicTensor;
  x = dropout(x, 0.5, 'dropout2', seeds);
  const logits = dense(x, o.numClasses, 'logits', seeds);
  return tf.model({ inputs: input, outputs: logits, name: 'chestnet_s' });
}

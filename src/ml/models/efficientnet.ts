/**
 * EfficientNet-B0 (Tan & Le 2019) for single-channel input, without stochastic depth.
 * Names: `stem_*`, `block{stage}{letter}_{expand,dw,se,project}_*`, `block…_add`, `top_*`, `avgpool`,
 * `head_dropout`, `logits`. Grad-CAM layer: `top_act`.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNorm, conv, convBnAct, poolHead, Seeds, squeezeExcite, type SymbolicTensor } from './blocks.js';

export const EFFICIENTNET_B0_CAM_LAYER = 'top_act';

/** expand ratio, kernel, stride, out channels, repeats. */
const STAGES: [number, number, number, number, number][] = [
  [1, 3, 1, 16, 1],
  [6, 3, 2, 24, 2],
  [6, 5, 2, 40, 2],
  [6, 3, 2, 80, 3],
  [6, 5, 1, 112, 3],
  [6, 5, 2, 192, 4],
  [6, 3, 1, 320, 1],
];

function mbConv(
  x: SymbolicTensor,
  o: { name: string; expand: number; kernel: number; stride: number; out: number },
  seeds: Seeds,
): SymbolicTensor {
  const inChannels = x.shape[3] as number;
  let y = x;
  if (o.expand !== 1)
    y = convBnAct(y, { name: `${o.name}_expand`, filters: inChannels * o.expand, kernel: 1, act: 'swish' }, seeds);
  y = convBnAct(
    y,
    { name: `${o.name}_dw`, filters: 0, kernel: o.kernel, strides: o.stride, depthwise: true, act: 'swish' },
    seeds,
  );
  y = squeezeExcite(
    y,
    { name: `${o.name}_se`, squeeze: Math.max(1, Math.floor(inChannels / 4)), act: 'swish', gate: 'sigmoid' },
    seeds,
  );
  y = batchNorm(conv(y, { name: `${o.name}_project_conv`, filters: o.out, kernel: 1 }, seeds), `${o.name}_project_bn`);
  if (o.stride === 1 && inChannels === o.out)
    y = tf.layers.add({ name: `${o.name}_add` }).apply([x, y]) as SymbolicTensor;
  return y;
}

export function buildEfficientNetB0(o: { inputSize: number; numClasses: number; seed: number }): tf.LayersModel {
  const seeds = new Seeds(o.seed);
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 1], name: 'input' });
  let x = convBnAct(input, { name: 'stem', filters: 32, kernel: 3, strides: 2, act: 'swish' }, seeds);
  STAGES.forEach(([expand, kernel, stride, out, repeats], s) => {
    for (let r = 0; r < repeats; r++) {
      const name = `block${s + 1}${String.fromCharCode(97 + r)}`;
      x = mbConv(x, { name, expand, kernel, stride: r === 0 ? stride : 1, out }, seeds);
    }
  });
  x = convBnAct(x, { name: 'top', filters: 1280, kernel: 1, act: 'swish' }, seeds);
  return tf.model({ inputs: input, outputs: poolHead(x, o.numClasses, seeds, 0.2), name: 'efficientnet_b0' });
}

/**
 * MobileNetV3-Small (Howard et al. 2019, torchvision configuration) for single-channel input.
 * Names: `stem_*`, `bneck{i}_{expand,dw,se,project}_*`, `bneck{i}_add`, `last_*`, `avgpool`, `head_fc`,
 * `head_act`, `head_dropout`, `logits`. Grad-CAM layer: `last_act`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  activation,
  batchNorm,
  conv,
  convBnAct,
  dense,
  dropout,
  Seeds,
  squeezeExcite,
  type Act,
  type SymbolicTensor,
} from './blocks.js';

export const MOBILENET_V3_CAM_LAYER = 'last_act';

/** kernel, expanded channels, out channels, squeeze-excite, activation, stride. */
const BNECKS: [number, number, number, boolean, Act, number][] = [
  [3, 16, 16, true, 'relu', 2],
  [3, 72, 24, false, 'relu', 2],
  [3, 88, 24, false, 'relu', 1],
  [5, 96, 40, true, 'hswish', 2],
  [5, 240, 40, true, 'hswish', 1],
  [5, 240, 40, true, 'hswish', 1],
  [5, 120, 48, true, 'hswish', 1],
  [5, 144, 48, true, 'hswish', 1],
  [5, 288, 96, true, 'hswish', 2],
  [5, 576, 96, true, 'hswish', 1],
  [5, 576, 96, true, 'hswish', 1],
];

const makeDivisible = (v: number, d = 8): number => Math.max(d, Math.floor((v + d / 2) / d) * d);

export function buildMobileNetV3Small(o: { inputSize: number; numClasses: number; seed: number }): tf.LayersModel {
  const seeds = new Seeds(o.seed);
  const input = tf.input({ shape: [o.inputSize, o.inputSize, 1], name: 'input' });
  let x = convBnAct(input, { name: 'stem', filters: 16, kernel: 3, strides: 2, act: 'hswish' }, seeds);
  BNECKS.forEach(([kernel, expanded, out, se, act, stride], i) => {
    const name = `bneck${i + 1}`;
    const inChannels = x.shape[3] as number;
    let y = x;
    if (expanded !== inChannels) y = convBnAct(y, { name: `${name}_expand`, filters: expanded, kernel: 1, act }, seeds);
    y = convBnAct(y, { name: `${name}_dw`, filters: expanded, kernel, strides: stride, depthwise: true, act }, seeds);
    if (se)
      y = squeezeExcite(
        y,
        { name: `${name}_se`, squeeze: makeDivisible(expanded / 4), act: 'relu', gate: 'hsigmoid' },
        seeds,
      );
    y = batchNorm(conv(y, { name: `${name}_project_conv`, filters: out, kernel: 1 }, seeds), `${name}_project_bn`);
    x =
      stride === 1 && inChannels === out ? (tf.layers.add({ name: `${name}_add` }).apply([x, y]) as SymbolicTensor) : y;
  });
  x = convBnAct(x, { name: 'last', filters: 576, kernel: 1, act: 'hswish' }, seeds);
  let h = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  h = activation(dense(h, 1024, 'head_fc', seeds), 'hswish', 'head_act');
  h = dropout(h, 0.2, 'head_dropout', seeds);
  return tf.model({ inputs: input, outputs: dense(h, o.numClasses, 'logits', seeds), name: 'mobilenet_v3_small' });
}

/**
 * Building blocks shared by the model builders (functional tfjs-layers API): seeded initialisers, conv +
 * batch-norm + activation, hard-swish / hard-sigmoid from stock layers, squeeze-and-excite.
 *
 * Owns: these helpers and the layer-naming convention `<prefix>_<role>` (e.g. `layer2_0_conv1`,
 * `bneck3_dw_bn`). Does not own: architectures (one file each).
 */
import * as tf from '@tensorflow/tfjs';
import { SeededDropout } from './custom-layers.js';
import { fastBatchNorm } from './fast-batch-norm.js';

export type SymbolicTensor = tf.SymbolicTensor;

/** Hands out a distinct, reproducible seed per initialiser / dropout layer. */
export class Seeds {
  private state: number;
  constructor(seed: number) {
    this.state = Math.abs(Math.trunc(seed)) % 2147483647 || 1;
  }
  next(): number {
    this.state = (this.state * 48271) % 2147483647;
    return this.state;
  }
}

/** Activations used by the zoo. `hswish`/`hsigmoid` are MobileNetV3's: x·relu6(x+3)/6 and relu6(x+3)/6. */
export type Act = 'relu' | 'swish' | 'sigmoid' | 'hswish' | 'hsigmoid' | 'linear';

export function activation(x: SymbolicTensor, act: Act, name: string): SymbolicTensor {
  if (act === 'linear') return x;
  if (act === 'hsigmoid') return hardSigmoid(x, name);
  if (act === 'hswish') {
    const gate = hardSigmoid(x, `${name}_gate`);
    return tf.layers.multiply({ name }).apply([x, gate]) as SymbolicTensor;
  }
  if (act === 'relu') return tf.layers.reLU({ name }).apply(x) as SymbolicTensor;
  return tf.layers.activation({ activation: act, name }).apply(x) as SymbolicTensor;
}

/** relu6(x+3)/6 = clip(x/6 + 1/2, 0, 1), from a Rescaling and a ReLU capped at 1 (serialisable stock layers). */
function hardSigmoid(x: SymbolicTensor, name: string): SymbolicTensor {
  const affine = tf.layers.rescaling({ scale: 1 / 6, offset: 0.5, name: `${name}_affine` }).apply(x) as SymbolicTensor;
  return tf.layers.reLU({ maxValue: 1, name }).apply(affine) as SymbolicTensor;
}

/** Options of {@link conv}. */
export interface ConvOptions {
  name: string;
  filters: number;
  kernel: number;
  strides?: number;
  /** default false: a batch-norm follows. */
  useBias?: boolean;
  /** depthwise convolution (filters is ignored: one filter per channel). */
  depthwise?: boolean;
}

export function conv(x: SymbolicTensor, o: ConvOptions, seeds: Seeds): SymbolicTensor {
  const common = {
    kernelSize: o.kernel,
    strides: o.strides ?? 1,
    padding: 'same' as const,
    useBias: o.useBias ?? false,
    name: o.name,
  };
  const init = tf.initializers.heNormal({ seed: seeds.next() });
  const layer = o.depthwise
    ? tf.layers.depthwiseConv2d({ ...common, depthMultiplier: 1, depthwiseInitializer: init })
    : tf.layers.conv2d({ ...common, filters: o.filters, kernelInitializer: init });
  return layer.apply(x) as SymbolicTensor;
}

export function batchNorm(x: SymbolicTensor, name: string, epsilon = 1e-5): SymbolicTensor {
  // momentum 0.9 = PyTorch's default momentum 0.1 (Keras counts the other way).
  return fastBatchNorm({ name, momentum: 0.9, epsilon }).apply(x) as SymbolicTensor;
}

/** conv → batch-norm → activation, named `<name>_conv`, `<name>_bn`, `<name>_<act>` (or `actName`). */
export function convBnAct(
  x: SymbolicTensor,
  o: Omit<ConvOptions, 'name'> & { name: string; act: Act; actName?: string },
  seeds: Seeds,
): SymbolicTensor {
  const y = batchNorm(conv(x, { ...o, name: `${o.name}_conv` }, seeds), `${o.name}_bn`);
  return activation(y, o.act, o.actName ?? `${o.name}_act`);
}

export function dense(x: SymbolicTensor, units: number, name: string, seeds: Seeds): SymbolicTensor {
  return tf.layers
    .dense({ units, name, kernelInitializer: tf.initializers.glorotUniform({ seed: seeds.next() }) })
    .apply(x) as SymbolicTensor;
}

export function dropout(x: SymbolicTensor, rate: number, name: string, seeds: Seeds): SymbolicTensor {
  return new SeededDropout({ rate, seed: seeds.next(), name }).apply(x) as SymbolicTensor;
}

/** Squeeze-and-excite: x · gate(conv1x1(act(conv1x1(GAP(x))))). */
export function squeezeExcite(
  x: SymbolicTensor,
  o: { name: string; squeeze: number; act: Act; gate: Act },
  seeds: Seeds,
): SymbolicTensor {
  const channels = x.shape[3] as number;
  const pooled = tf.layers.globalAveragePooling2d({ name: `${o.name}_pool` }).apply(x) as SymbolicTensor;
  const s = tf.layers
    .reshape({ targetShape: [1, 1, channels], name: `${o.name}_reshape` })
    .apply(pooled) as SymbolicTensor;
  const reduced = activation(
    conv(s, { name: `${o.name}_reduce`, filters: o.squeeze, kernel: 1, useBias: true }, seeds),
    o.act,
    `${o.name}_reduce_act`,
  );
  const expanded = conv(reduced, { name: `${o.name}_expand`, filters: channels, kernel: 1, useBias: true }, seeds);
  const gate = activation(expanded, o.gate, `${o.name}_gate`);
  return tf.layers.multiply({ name: `${o.name}_scale` }).apply([x, gate]) as SymbolicTensor;
}

/** Global average pool → dense `numClasses` logits (no activation), named `avgpool` and `logits`. */
export function poolHead(x: SymbolicTensor, numClasses: number, seeds: Seeds, dropRate = 0): SymbolicTensor {
  let y = tf.layers.globalAveragePooling2d({ name: 'avgpool' }).apply(x) as SymbolicTensor;
  if (dropRate > 0) y = dropout(y, dropRate, 'head_dropout', seeds);
  return dense(y, numClasses, 'logits', seeds);
}

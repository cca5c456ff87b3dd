// The native oneDNN kernels (native/onednn.cc behind src/ml/runtime/onednn) against the cpu backend's
// reference kernels, element by element: convolution forward (plain and fused with bias + ReLU) and both
// gradients on asymmetric geometry, strides and dilation; matrix multiplies with every transpose, batch
// broadcasting and fused bias + ReLU; the max-pool gradient with tied maxima; channel sums; the fused
// batch norm against the op chain it replaces; large elementwise ops with each broadcast they cover; and the
// fallbacks (an ELU conv, an unsupported broadcast). Skipped, saying so, only where the addon is not built;
// CI builds it (.ci/run: native/build.mjs --require).
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime, type RuntimeInfo } from '../../../src/ml/runtime/index.js';
import { loadOnednn } from '../../../src/ml/runtime/onednn/addon.js';
import {
  ASYMMETRIC_CONV_CASES,
  convCaseInputs,
  expectConvGradientsMatch,
  expectMaxPoolGradMatches,
  MAX_POOL_TIE_CASES,
  mismatches,
  random,
  type Case,
} from './kernel-compare.js';

const native = loadOnednn();
const suite = native.ok ? describe : describe.skip;
if (!native.ok) console.warn(`onednn-kernels.test.ts skipped: the oneDNN addon is ${native.reason}`);

let info: RuntimeInfo;
beforeAll(async () => {
  if (native.ok) info = await initRuntime({ backend: 'wasm', kernels: 'onednn', threads: 2 });
});
afterAll(async () => {
  if (native.ok) await tf.setBackend('wasm');
});

type Inputs = Record<string, [number[], Float32Array]>;
const t = (shape: number[], seed: number, levels = 0): [number[], Float32Array] => [shape, random(shape, seed, levels)];

suite('oneDNN kernels match cpu element by element', () => {
  it('the runtime reports the native kernels', () => {
    expect(info.kernels).toBe('onednn');
    expect(info.notes.some((n) => /oneDNN 2\.\d+\.\d+ .* runs Conv2D, FusedConv2D, Conv2DBackpropFilter/.test(n))).toBe(
      true,
    );
  });

  const convCases: Case[] = [
    ...ASYMMETRIC_CONV_CASES,
    {
      name: 'filter 3x3 same stride 2 (ResNet downsampling)',
      n: 2,
      h: 9,
      w: 9,
      c: 5,
      o: 6,
      fh: 3,
      fw: 3,
      sh: 2,
      sw: 2,
      pad: 'same',
    },
    {
      name: 'filter 7x7 same stride 2, one input channel (a stem)',
      n: 2,
      h: 16,
      w: 16,
      c: 1,
      o: 8,
      fh: 7,
      fw: 7,
      sh: 2,
      sw: 2,
      pad: 'same',
    },
    {
      name: 'filter 1x1 valid stride 2 (a projection shortcut)',
      n: 3,
      h: 8,
      w: 8,
      c: 4,
      o: 8,
      fh: 1,
      fw: 1,
      sh: 2,
      sw: 2,
      pad: 'valid',
    },
  ];

  it.each(convCases)('conv forward and gradients: $name', async (k) => {
    const { x, filter, base } = convCaseInputs(k);
    const attrs = { ...base, dilations: [1, 1] };
    expect(await mismatches('Conv2D', { x, filter }, attrs), 'y').toEqual([]);
    const fused = { ...attrs, activation: 'relu', leakyreluAlpha: 0 };
    expect(await mismatches('FusedConv2D', { x, filter, bias: t([k.o], 4) }, fused), 'y fused').toEqual([]);
    await expectConvGradientsMatch(k);
  });

  it('conv with dilation 2, and an ELU activation through the fallback', async () => {
    const x = t([2, 11, 10, 3], 5);
    const filter = t([3, 3, 3, 4], 6);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, dilations: [2, 2] };
    expect(await mismatches('Conv2D', { x, filter }, attrs)).toEqual([]);
    const elu = { ...attrs, dilations: [1, 1], activation: 'elu', leakyreluAlpha: 0 };
    expect(await mismatches('FusedConv2D', { x, filter, bias: t([4], 7) }, elu)).toEqual([]);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matmul transposeA %s transposeB %s, batched with a broadcast batch of 1, fused bias + relu', async (ta, tb) => {
    const [m, k, n] = [5, 7, 6];
    const a = t(ta ? [3, k, m] : [3, m, k], 8);
    const b = t(tb ? [1, n, k] : [1, k, n], 9);
    const attrs = { transposeA: ta, transposeB: tb };
    expect(await mismatches('BatchMatMul', { a, b }, attrs)).toEqual([]);
    const fused = { ...attrs, activation: 'relu', leakyreluAlpha: 0 };
    expect(await mismatches('_FusedMatMul', { a, b, bias: t([n], 10) }, fused)).toEqual([]);
  });

  it('matmul of a dense layer: [32, 2048] @ [2048, 512] and both gradients', async () => {
    const x = t([1, 32, 2048], 11);
    const w = t([1, 2048, 512], 12);
    const dy = t([1, 32, 512], 13);
    expect(await mismatches('BatchMatMul', { a: x, b: w }, { transposeA: false, transposeB: false })).toEqual([]);
    expect(await mismatches('BatchMatMul', { a: dy, b: w }, { transposeA: false, transposeB: true })).toEqual([]);
    expect(await mismatches('BatchMatMul', { a: x, b: dy }, { transposeA: true, transposeB: false })).toEqual([]);
  });

  it.each([...MAX_POOL_TIE_CASES, { shape: [2, 16, 16, 32], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }])(
    'max-pool gradient with tied maxima: pool $filterSize stride $strides $pad on $shape',
    async (c) => {
      await expectMaxPoolGradMatches(c);
    },
  );

  it('sums over the leading axes (bias gradients) through Sum', async () => {
    const x = t([4, 9, 9, 24], 16);
    expect(await mismatches('Sum', { x }, { axis: [0, 1, 2], keepDims: false })).toEqual([]);
    expect(await mismatches('Sum', { x }, { axis: [0, 1, 2], keepDims: true })).toEqual([]);
    expect(await mismatches('Sum', { x }, { axis: [3], keepDims: false }), 'another axis: the fallback').toEqual([]);
  });

  const big = [8, 16, 16, 32]; // above the size where the native elementwise loop takes over
  const pairs: [string, Inputs][] = [
    ['same shape', { a: t(big, 17), b: t(big, 18) }],
    ['a scalar on the right', { a: t(big, 19), b: t([], 20) }],
    ['a scalar on the left', { a: t([], 21), b: t(big, 22) }],
    ['a last-axis vector on the right', { a: t(big, 23), b: t([32], 24) }],
    ['a last-axis vector on the left, with leading ones', { a: t([1, 1, 32], 25), b: t(big, 26) }],
    ['an unsupported broadcast (the fallback)', { a: t([8, 1, 16, 32], 27), b: t([8, 16, 1, 32], 28) }],
  ];
  it.each(pairs)('Add, Sub, Multiply, RealDiv with %s', async (_name, inputs) => {
    for (const kernel of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
      if (kernel === 'RealDiv') inputs.b[1] = inputs.b[1].map((v) => v + (v >= 0 ? 0.5 : -0.5));
      expect(await mismatches(kernel, inputs, {}), kernel).toEqual([]);
    }
  });

  it('Relu, Square, Sqrt', async () => {
    const x = t(big, 29);
    expect(await mismatches('Relu', { x }, {})).toEqual([]);
    expect(await mismatches('Square', { x }, {})).toEqual([]);
    expect(await mismatches('Sqrt', { x: [big, x[1].map(Math.abs)] }, {})).toEqual([]);
  });

  it('the fused batch norm trains like the op chain it replaces (values and gradients)', async () => {
    const { fastBatchNorm } = await import('../../../src/ml/models/fast-batch-norm.js');
    const shape = [4, 6, 6, 8];
    const run = async (backend: string): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const layer = fastBatchNorm({ epsilon: 1e-3 });
      const x = tf.tensor4d(random(shape, 30), shape as [number, number, number, number]);
      layer.build(x.shape);
      layer.setWeights([tf.tensor1d(random([8], 31)), tf.tensor1d(random([8], 32)), tf.zeros([8]), tf.ones([8])]);
      const dy = tf.tensor4d(random(shape, 33), shape as [number, number, number, number]);
      const f = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const [gamma, beta] = layer.trainableWeights;
        (gamma as unknown as { write(v: tf.Tensor): void }).write(g);
        (beta as unknown as { write(v: tf.Tensor): void }).write(b);
        return tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, dy));
      };
      const [g, b] = layer.getWeights();
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      const grads = tf.grads(f)([x, g, b]);
      const moving = layer.getWeights().slice(2);
      const out = await Promise.all([y, ...grads, ...moving].map(async (v) => (await v.data()) as Float32Array));
      return out;
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    for (let i = 0; i < expected.length; i++) {
      const bad = expected[i].findIndex((v, j) => !(Math.abs(actual[i][j] - v) <= 1e-4 * (1 + Math.abs(v))));
      expect(bad, `output ${i}`).toBe(-1);
    }
  });

  it('inference batch norm (FusedBatchNorm) with and without offset and scale', async () => {
    const x = t([3, 5, 5, 12], 34);
    const mean = t([12], 35);
    const variance: [number[], Float32Array] = [[12], random([12], 36).map((v) => v * v + 0.1)];
    const attrs = { varianceEpsilon: 1e-3 };
    expect(
      await mismatches('FusedBatchNorm', { x, mean, variance, offset: t([12], 37), scale: t([12], 38) }, attrs),
    ).toEqual([]);
    expect(await mismatches('FusedBatchNorm', { x, mean, variance }, attrs)).toEqual([]);
  });

  it('an image alone gives the same bits as inside a batch (conv, dense): predict on one file = evaluate', async () => {
    await tf.setBackend('wasm');
    const bits = (t: tf.Tensor): number[] => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
    const x = tf.randomNormal([8, 16, 16, 8], 0, 1, 'float32', 40);
    const f = tf.randomNormal([3, 3, 8, 16], 0, 1, 'float32', 41);
    const conv = (v: tf.Tensor): tf.Tensor => tf.conv2d(v as tf.Tensor4D, f as tf.Tensor4D, 1, 'same');
    expect(bits(conv(x.slice([3], [1])))).toEqual(bits(conv(x).slice([3], [1])));
    const a = tf.randomNormal([32, 2048], 0, 1, 'float32', 42);
    const w = tf.randomNormal([2048, 64], 0, 1, 'float32', 43);
    for (const rows of [1, 2, 7]) {
      expect(bits(tf.matMul(a.slice([0], [rows]), w).slice([0], [1])), `rows ${rows}`).toEqual(
        bits(tf.matMul(a, w).slice([0], [1])),
      );
    }
  });

  it('Identity shares the input memory and stays valid after the input is disposed', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
  });
});

// The project's wasm training kernels against the cpu backend's reference kernels on random inputs.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { random, run } from './kernel-compare.js';
import { im2colLimit } from '../../../src/ml/runtime/kernels/wasm-heap.js';

function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

async function compare(
  kernel: string,
  inputs: Record<string, [number[], Float32Array]>,
  attrs: Record<string, unknown>,
): Promise<number> {
  const expected = await run('cpu', kernel, inputs, attrs);
  const actual = await run('wasm', kernel, inputs, attrs);
  return relativeError(actual, expected);
}

interface Case {
  n: number;
  h: number;
  w: number;
  c: number;
  o: number;
  f: number;
  s: number;
  pad: 'same' | 'valid';
}

const cases: Case[] = [];
for (const s of [1, 2]) {
  for (const pad of ['same', 'valid'] as const) {
    cases.push({ n: 2, h: 7, w: 9, c: 3, o: 5, f: 3, s, pad });
    cases.push({ n: 1, h: 8, w: 8, c: 1, o: 8, f: 5, s, pad });
    cases.push({ n: 3, h: 5, w: 6, c: 16, o: 4, f: 1, s, pad });
    cases.push({ n: 2, h: 11, w: 11, c: 8, o: 32, f: 3, s, pad });
  }
}
const label = (k: Case): string => `n${k.n} ${k.h}x${k.w}x${k.c}->${k.o} f${k.f} s${k.s} ${k.pad}`;

function outSize(k: Case): [number, number] {
  const o = (x: number): number => (k.pad === 'same' ? Math.ceil(x / k.s) : Math.ceil((x - k.f + 1) / k.s));
  return [o(k.h), o(k.w)];
}

beforeAll(async () => {
  await initRuntime({ backend: 'wasm', kernels: 'wasm' }); // the project's JS kernels; onednn-kernels.test.ts: native
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('wasm Conv2DBackpropFilter / Conv2DBackpropInput match cpu', () => {
  it.each(cases)('$n $h x $w x $c -> $o, filter $f, stride $s, $pad', async (k) => {
    const [oh, ow] = outSize(k);
    const x: [number[], Float32Array] = [[k.n, k.h, k.w, k.c], random([k.n, k.h, k.w, k.c], 1)];
    const dy: [number[], Float32Array] = [[k.n, oh, ow, k.o], random([k.n, oh, ow, k.o], 2)];
    const filter: [number[], Float32Array] = [[k.f, k.f, k.c, k.o], random([k.f, k.f, k.c, k.o], 3)];
    const base = { strides: [k.s, k.s], pad: k.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    const dW = await compare('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape: [k.f, k.f, k.c, k.o] });
    const dX = await compare('Conv2DBackpropInput', { dy, filter }, { ...base, inputShape: [k.n, k.h, k.w, k.c] });
    expect(dW, label(k)).toBeLessThan(1e-4);
    expect(dX, label(k)).toBeLessThan(1e-4);
  });

  it('gives the same result when the batch is split into im2col chunks', async () => {
    const k: Case = { n: 5, h: 9, w: 7, c: 4, o: 6, f: 3, s: 2, pad: 'same' };
    const [oh, ow] = outSize(k);
    const x: [number[], Float32Array] = [[k.n, k.h, k.w, k.c], random([k.n, k.h, k.w, k.c], 4)];
    const dy: [number[], Float32Array] = [[k.n, oh, ow, k.o], random([k.n, oh, ow, k.o], 5)];
    const filter: [number[], Float32Array] = [[k.f, k.f, k.c, k.o], random([k.f, k.f, k.c, k.o], 6)];
    const base = { strides: [k.s, k.s], pad: k.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    const saved = im2colLimit.floats;
    im2colLimit.floats = 9 * 4 * oh * ow * 2; // two images per chunk: chunks of 2, 2, 1
    try {
      expect(await compare('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape: [3, 3, 4, 6] })).toBeLessThan(
        1e-4,
      );
      expect(await compare('Conv2DBackpropInput', { dy, filter }, { ...base, inputShape: [5, 9, 7, 4] })).toBeLessThan(
        1e-4,
      );
    } finally {
      im2colLimit.floats = saved;
    }
  });
});

describe('wasm depthwise conv gradients match cpu', () => {
  const dw: { n: number; h: number; w: number; c: number; m: number; f: number; s: number; pad: 'same' | 'valid' }[] =
    [];
  for (const s of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      dw.push({ n: 2, h: 7, w: 9, c: 3, m: 1, f: 3, s, pad });
      dw.push({ n: 1, h: 10, w: 10, c: 16, m: 1, f: 5, s, pad });
      dw.push({ n: 2, h: 6, w: 5, c: 4, m: 2, f: 3, s, pad });
    }
  }
  it.each(dw)('$n $h x $w x $c (x$m), filter $f, stride $s, $pad', async (k) => {
    const o = (v: number): number => (k.pad === 'same' ? Math.ceil(v / k.s) : Math.ceil((v - k.f + 1) / k.s));
    const [oh, ow] = [o(k.h), o(k.w)];
    const x: [number[], Float32Array] = [[k.n, k.h, k.w, k.c], random([k.n, k.h, k.w, k.c], 7)];
    const dy: [number[], Float32Array] = [[k.n, oh, ow, k.c * k.m], random([k.n, oh, ow, k.c * k.m], 8)];
    const filter: [number[], Float32Array] = [[k.f, k.f, k.c, k.m], random([k.f, k.f, k.c, k.m], 9)];
    const base = { strides: [k.s, k.s], dilations: [1, 1], pad: k.pad, dimRoundingMode: undefined };
    const dW = await compare(
      'DepthwiseConv2dNativeBackpropFilter',
      { x, dy },
      { ...base, filterShape: [k.f, k.f, k.c, k.m] },
    );
    const dX = await compare(
      'DepthwiseConv2dNativeBackpropInput',
      { dy, filter },
      { ...base, inputShape: [k.n, k.h, k.w, k.c] },
    );
    expect(dW).toBeLessThan(1e-4);
    expect(dX).toBeLessThan(1e-4);
  });
});

describe('wasm wrappers and pooling gradient match cpu', () => {
  it.each([
    { shape: [2, 7, 9, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { shape: [1, 8, 8, 5], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
    { shape: [2, 5, 6, 4], filterSize: [3, 3], strides: [1, 1], pad: 'same' },
  ])('MaxPoolGrad $shape pool $filterSize stride $strides $pad', async ({ shape, filterSize, strides, pad }) => {
    await tf.setBackend('cpu');
    const xv = random(shape, 10);
    const x = tf.tensor4d(xv, shape as [number, number, number, number]);
    const y = tf.maxPool(x, filterSize as [number, number], strides as [number, number], pad as 'same');
    const yv = (await y.data()) as Float32Array;
    const ys = y.shape;
    tf.dispose([x, y]);
    const dy: [number[], Float32Array] = [ys, random(ys, 11)];
    const attrs = { filterSize, strides, pad, dimRoundingMode: undefined };
    const err = await compare('MaxPoolGrad', { dy, input: [shape, xv], output: [ys, yv] }, attrs);
    expect(err).toBeLessThan(1e-4);
  });

  it.each([
    { a: [3, 17, 5], b: [3, 5, 7], transposeA: false, transposeB: false },
    { a: [17, 5], b: [7, 5], transposeA: false, transposeB: true },
    { a: [2, 5, 17], b: [2, 5, 7], transposeA: true, transposeB: false },
    { a: [5, 17], b: [7, 5], transposeA: true, transposeB: true },
    // large transposed b, small a: computed as (b @ aᵀ)ᵀ
    { a: [1, 3, 6], b: [1, 40, 6], transposeA: false, transposeB: true },
    { a: [2, 3, 6], b: [1, 40, 6], transposeA: false, transposeB: true },
    // large transposed a, small b: computed as (bᵀ @ a)ᵀ
    { a: [30, 40], b: [30, 2], transposeA: true, transposeB: false },
  ])('BatchMatMul $a x $b tA=$transposeA tB=$transposeB', async ({ a, b, transposeA, transposeB }) => {
    const err = await compare(
      'BatchMatMul',
      { a: [a, random(a, 12)], b: [b, random(b, 13)] },
      { transposeA, transposeB },
    );
    expect(err).toBeLessThan(1e-4);
  });

  it.each([
    { shape: [2, 3, 5, 7], axis: [0, 1, 2], keepDims: false },
    { shape: [2, 3, 5, 7], axis: [2, 0, 1], keepDims: true },
    { shape: [6, 4], axis: [0], keepDims: false },
    { shape: [2, 3, 5, 7], axis: [1, 2], keepDims: false },
  ])('Sum $shape over $axis keepDims=$keepDims', async ({ shape, axis, keepDims }) => {
    const err = await compare('Sum', { x: [shape, random(shape, 14)] }, { axis, keepDims });
    expect(err).toBeLessThan(1e-4);
  });
});

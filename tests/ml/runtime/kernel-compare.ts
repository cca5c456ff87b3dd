// Shared by the kernel tests: seeded inputs and one kernel run on a chosen backend.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Deterministic values in [-1, 1); levels > 0 rounds them to few distinct values (pooling ties). */
export function random(shape: number[], seed: number, levels = 0): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = s / 2 ** 31 - 1;
    out[i] = levels > 0 ? Math.round(v * levels) / levels : v;
  }
  return out;
}

/** Runs `kernel` on `backend` with fresh tensors and returns the output values. */
export async function run(
  backend: string,
  kernel: string,
  inputs: Record<string, [number[], Float32Array]>,
  attrs: Record<string, unknown>,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, [shape, v]]) => [k, tf.tensor(v, shape)]));
  const out = tf.engine().runKernel<tf.Tensor>(kernel, tensors, attrs as tf.NamedAttrMap);
  const values = (await out.data()) as Float32Array;
  out.dispose();
  for (const t of Object.values(tensors)) t.dispose();
  return values;
}

/** Indices of the elements where wasm and cpu differ by more than 1e-4 (relative to 1 + |cpu|). */
export async function mismatches(
  kernel: string,
  inputs: Record<string, [number[], Float32Array]>,
  attrs: Record<string, unknown>,
): Promise<number[]> {
  const expected = await run('cpu', kernel, inputs, attrs);
  const actual = await run('wasm', kernel, inputs, attrs);
  expect(actual.length).toBe(expected.length);
  const bad: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])))) bad.push(i);
  }
  return bad;
}

export type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
export interface Case {
  name: string;
  n: number;
  h: number;
  w: number;
  c: number;
  o: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  pad: Pad;
}

export const ASYMMETRIC_CONV_CASES: Case[] = [
  // same padding with a 3×5 filter: top 1, left 2
  { name: 'filter 3x5 same stride 1', n: 2, h: 7, w: 8, c: 3, o: 4, fh: 3, fw: 5, sh: 1, sw: 1, pad: 'same' },
  { name: 'filter 5x3 same stride 1', n: 1, h: 6, w: 9, c: 2, o: 5, fh: 5, fw: 3, sh: 1, sw: 1, pad: 'same' },
  // strides 1×2 and 2×1: the gemm path, with top ≠ left
  { name: 'filter 3x5 same stride 1x2', n: 2, h: 7, w: 10, c: 3, o: 4, fh: 3, fw: 5, sh: 1, sw: 2, pad: 'same' },
  { name: 'filter 4x2 same stride 2x1', n: 2, h: 9, w: 6, c: 2, o: 3, fh: 4, fw: 2, sh: 2, sw: 1, pad: 'same' },
  { name: 'filter 2x3 valid stride 2x3', n: 1, h: 8, w: 11, c: 4, o: 2, fh: 2, fw: 3, sh: 2, sw: 3, pad: 'valid' },
  // explicit padding: top 0 / bottom 2, left 2 / right 1
  {
    name: 'explicit pad t0 b2 l2 r1 stride 1',
    n: 2,
    h: 5,
    w: 6,
    c: 3,
    o: 4,
    fh: 3,
    fw: 3,
    sh: 1,
    sw: 1,
    pad: [
      [0, 0],
      [0, 2],
      [2, 1],
      [0, 0],
    ],
  },
  {
    name: 'explicit pad t2 b0 l0 r1 stride 2',
    n: 1,
    h: 7,
    w: 7,
    c: 2,
    o: 3,
    fh: 3,
    fw: 3,
    sh: 2,
    sw: 2,
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
  },
];

export function outSize(k: Case): [number, number] {
  if (k.pad === 'same') return [Math.ceil(k.h / k.sh), Math.ceil(k.w / k.sw)];
  const [pt, pb] = k.pad === 'valid' ? [0, 0] : k.pad[1];
  const [pl, pr] = k.pad === 'valid' ? [0, 0] : k.pad[2];
  return [Math.floor((k.h + pt + pb - k.fh) / k.sh) + 1, Math.floor((k.w + pl + pr - k.fw) / k.sw) + 1];
}

/** Inputs of one case of {@link ASYMMETRIC_CONV_CASES} (seeds 1–3) and its attrs. */
export function convCaseInputs(k: Case): {
  x: [number[], Float32Array];
  dy: [number[], Float32Array];
  filter: [number[], Float32Array];
  base: Record<string, unknown>;
} {
  const [oh, ow] = outSize(k);
  return {
    x: [[k.n, k.h, k.w, k.c], random([k.n, k.h, k.w, k.c], 1)],
    dy: [[k.n, oh, ow, k.o], random([k.n, oh, ow, k.o], 2)],
    filter: [[k.fh, k.fw, k.c, k.o], random([k.fh, k.fw, k.c, k.o], 3)],
    base: { strides: [k.sh, k.sw], pad: k.pad, dataFormat: 'NHWC', dimRoundingMode: undefined },
  };
}

/** Both conv gradients of case `k` on the active kernels match cpu element by element. */
export async function expectConvGradientsMatch(k: Case): Promise<void> {
  const { x, dy, filter, base } = convCaseInputs(k);
  const dW = await mismatches('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape: [k.fh, k.fw, k.c, k.o] });
  expect(dW, 'dW').toEqual([]);
  const dX = await mismatches('Conv2DBackpropInput', { dy, filter }, { ...base, inputShape: [k.n, k.h, k.w, k.c] });
  expect(dX, 'dX').toEqual([]);
}

/** Max-pool geometries whose windows hold tied maxima (inputs rounded to 5 levels). */
export const MAX_POOL_TIE_CASES = [
  { shape: [2, 6, 7, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { shape: [1, 7, 8, 2], filterSize: [3, 2], strides: [2, 1], pad: 'same' },
  { shape: [2, 5, 5, 4], filterSize: [3, 3], strides: [1, 1], pad: 'same' },
];

/** MaxPoolGrad on the active kernels matches cpu element by element, ties included. */
export async function expectMaxPoolGradMatches(c: {
  shape: number[];
  filterSize: number[];
  strides: number[];
  pad: string;
}): Promise<void> {
  const xv = random(c.shape, 10, 2); // values in {-1, -0.5, 0, 0.5, 1}: most windows hold ties
  await tf.setBackend('cpu');
  const y = tf.tidy(() =>
    tf.maxPool(
      tf.tensor4d(xv, c.shape as [number, number, number, number]),
      c.filterSize as [number, number],
      c.strides as [number, number],
      c.pad as 'same',
    ),
  );
  const yv = (await y.data()) as Float32Array;
  const ys = y.shape;
  y.dispose();
  const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: undefined };
  const inputs = {
    dy: [ys, random(ys, 11)] as [number[], Float32Array],
    input: [c.shape, xv] as [number[], Float32Array],
    output: [ys, yv] as [number[], Float32Array],
  };
  expect(await mismatches('MaxPoolGrad', inputs, attrs)).toEqual([]);
}

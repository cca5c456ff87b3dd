// The wasm training kernels on geometry where a swapped axis shows: top ≠ left padding, non-square
// filters and strides, explicit asymmetric padding, and MaxPoolGrad windows with tied maxima. Each
// output element is compared with the cpu backend's reference kernel.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { random, run } from './kernel-compare.js';

/** Indices of the elements where wasm and cpu differ by more than 1e-4 (relative to 1 + |cpu|). */
async function mismatches(
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

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
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

const cases: Case[] = [
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

function outSize(k: Case): [number, number] {
  if (k.pad === 'same') return [Math.ceil(k.h / k.sh), Math.ceil(k.w / k.sw)];
  const [pt, pb] = k.pad === 'valid' ? [0, 0] : k.pad[1];
  const [pl, pr] = k.pad === 'valid' ? [0, 0] : k.pad[2];
  return [Math.floor((k.h + pt + pb - k.fh) / k.sh) + 1, Math.floor((k.w + pl + pr - k.fw) / k.sw) + 1];
}

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('wasm conv2d gradients on asymmetric geometry match cpu element by element', () => {
  it.each(cases)('$name', async (k) => {
    const [oh, ow] = outSize(k);
    const x: [number[], Float32Array] = [[k.n, k.h, k.w, k.c], random([k.n, k.h, k.w, k.c], 1)];
    const dy: [number[], Float32Array] = [[k.n, oh, ow, k.o], random([k.n, oh, ow, k.o], 2)];
    const filter: [number[], Float32Array] = [[k.fh, k.fw, k.c, k.o], random([k.fh, k.fw, k.c, k.o], 3)];
    const base = { strides: [k.sh, k.sw], pad: k.pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
    expect(
      await mismatches('Conv2DBackpropFilter', { x, dy }, { ...base, filterShape: [k.fh, k.fw, k.c, k.o] }),
      'dW',
    ).toEqual([]);
    expect(
      await mismatches('Conv2DBackpropInput', { dy, filter }, { ...base, inputShape: [k.n, k.h, k.w, k.c] }),
      'dX',
    ).toEqual([]);
  });
});

describe('wasm MaxPoolGrad with tied maxima matches cpu element by element', () => {
  it.each([
    { shape: [2, 6, 7, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { shape: [1, 7, 8, 2], filterSize: [3, 2], strides: [2, 1], pad: 'same' },
    { shape: [2, 5, 5, 4], filterSize: [3, 3], strides: [1, 1], pad: 'same' },
  ])('pool $filterSize stride $strides $pad on $shape', async ({ shape, filterSize, strides, pad }) => {
    const xv = random(shape, 10, 2); // values in {-1, -0.5, 0, 0.5, 1}: most windows hold ties
    await tf.setBackend('cpu');
    const x = tf.tensor4d(xv, shape as [number, number, number, number]);
    const y = tf.maxPool(x, filterSize as [number, number], strides as [number, number], pad as 'same');
    const yv = (await y.data()) as Float32Array;
    const ys = y.shape;
    tf.dispose([x, y]);
    const attrs = { filterSize, strides, pad, dimRoundingMode: undefined };
    expect(
      await mismatches('MaxPoolGrad', { dy: [ys, random(ys, 11)], input: [shape, xv], output: [ys, yv] }, attrs),
    ).toEqual([]);
  });
});

// The wasm training kernels on geometry where a swapped axis shows: top ≠ left padding, non-square
// filters and strides, explicit asymmetric padding, and MaxPoolGrad windows with tied maxima. Each
// output element is compared with the cpu backend's reference kernel.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { ASYMMETRIC_CONV_CASES as cases, mismatches, outSize, random } from './kernel-compare.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm', kernels: 'wasm' }); // the project's JS kernels; onednn-kernels.test.ts: native
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

// The wasm training kernels on geometry where a swapped axis shows: top ≠ left padding, non-square
// filters and strides, explicit asymmetric padding, and MaxPoolGrad windows with tied maxima. Each
// output element is compared with the cpu backend's reference kernel.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import {
  ASYMMETRIC_CONV_CASES as cases,
  expectConvGradientsMatch,
  expectMaxPoolGradMatches,
  MAX_POOL_TIE_CASES,
} from './kernel-compare.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm', kernels: 'wasm' }); // the project's JS kernels; onednn-kernels.test.ts: native
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('wasm conv2d gradients on asymmetric geometry match cpu element by element', () => {
  it.each(cases)('$name', async (k) => {
    await expectConvGradientsMatch(k);
  });
});

describe('wasm MaxPoolGrad with tied maxima matches cpu element by element', () => {
  it.each(MAX_POOL_TIE_CASES)('pool $filterSize stride $strides $pad on $shape', async (c) => {
    await expectMaxPoolGradMatches(c);
  });
});

// Every kernel a training step of the zoo runs (chestnet_s, resnet18/34, mobilenet_v3_small,
// efficientnet_b0 with Adam and the sigmoid or softmax loss; the list below was taken by recording the
// kernels of one such step per model, see kernel-recorder.ts), on `webgpu` against `cpu`, per element, with
// the attributes the zoo uses: 1/3/7-pixel kernels, strides 1 and 2, `same`/`valid`, channel counts that are
// and are not multiples of 4 (tfjs-webgpu has vec4 variants), pooling windows with tied maxima.
// Skipped only when Dawn finds no adapter here, with the reason in the test titles.
//
// Tolerance: 1e-5 of the output's largest magnitude. float32 rounding is ~6e-8 per operation; these sums
// run over at most ~2,000 terms in a different order on each backend, so honest differences stay below
// ~1e-6 (measured on lavapipe: conv gradients 8e-7, matmuls 4e-7, elementwise 0 to 2e-7); a wrong
// index, tie rule or missing tap gives errors of order 1.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { random } from './kernel-compare.js';
import { replay, scaledError, type RecordedCall, type RecordedInput } from './kernel-recorder.js';
import { adapterLine, titled, webgpuSkipReason } from './webgpu-helpers.js';

const TOLERANCE = 1e-5;

type Spec = [shape: number[], levels?: number, dtype?: 'float32' | 'int32' | 'bool'];
let seed = 1;

function input([shape, levels = 0, dtype = 'float32']: Spec): RecordedInput {
  const v = random(shape, seed++, levels);
  const values =
    dtype === 'float32'
      ? v
      : dtype === 'int32'
        ? Int32Array.from(v, (x) => Math.round(4 * x))
        : Uint8Array.from(v, (x) => (x > 0 ? 1 : 0));
  return { shape, dtype, values };
}

function call(kernel: string, inputs: Record<string, Spec>, attrs: Record<string, unknown> = {}): RecordedCall {
  const recorded = Object.fromEntries(Object.entries(inputs).map(([k, s]) => [k, input(s)]));
  return {
    kernel,
    inputs: recorded,
    attrs,
    key: `${kernel} ${JSON.stringify(attrs)} ${JSON.stringify(Object.values(inputs).map((s) => s[0]))}`,
  };
}

const conv = (s: number, pad: string) => ({ strides: [s, s], pad, dataFormat: 'NHWC', dilations: [1, 1] });
const out = (h: number, f: number, s: number, pad: string): number =>
  pad === 'same' ? Math.ceil(h / s) : Math.ceil((h - f + 1) / s);

/** Convolutions: [n, h, w, inC, outC, filter, stride, pad]. */
const CONVS: [number, number, number, number, number, number, number, string][] = [
  [2, 9, 9, 1, 8, 3, 1, 'same'], // first conv of every model: one input channel
  [2, 9, 9, 1, 6, 7, 2, 'same'], // resnet stem
  [2, 8, 8, 8, 16, 3, 1, 'same'], // vec4 channels
  [2, 9, 7, 3, 5, 3, 2, 'same'], // odd sizes, channels not multiples of 4
  [2, 8, 8, 16, 8, 1, 1, 'valid'], // pointwise
  [1, 9, 9, 4, 4, 1, 2, 'valid'], // resnet downsampling shortcut
  [2, 10, 10, 3, 4, 3, 2, 'valid'],
];
/** Depthwise: [n, h, w, c, filter, stride] (multiplier 1, `same`, as in mobilenet/efficientnet). */
const DEPTHWISE: [number, number, number, number, number, number][] = [
  [2, 8, 8, 8, 3, 1],
  [2, 9, 9, 6, 3, 2],
  [1, 9, 9, 5, 5, 2],
  [2, 7, 7, 16, 5, 1],
];

function cases(): RecordedCall[] {
  const list: RecordedCall[] = [];
  for (const [n, h, w, c, o, f, s, pad] of CONVS) {
    const [oh, ow] = [out(h, f, s, pad), out(w, f, s, pad)];
    const a = conv(s, pad);
    list.push(
      call('FusedConv2D', { x: [[n, h, w, c]], filter: [[f, f, c, o]], bias: [[o]] }, { ...a, activation: 'linear' }),
    );
    list.push(
      call('Conv2DBackpropFilter', { x: [[n, h, w, c]], dy: [[n, oh, ow, o]] }, { ...a, filterShape: [f, f, c, o] }),
    );
    list.push(
      call('Conv2DBackpropInput', { dy: [[n, oh, ow, o]], filter: [[f, f, c, o]] }, { ...a, inputShape: [n, h, w, c] }),
    );
  }
  list.push(
    call(
      'FusedConv2D',
      { x: [[2, 8, 8, 4]], filter: [[3, 3, 4, 8]], bias: [[8]] },
      { ...conv(1, 'same'), activation: 'relu' },
    ),
  );
  for (const [n, h, w, c, f, s] of DEPTHWISE) {
    const oh = out(h, f, s, 'same');
    const ow = out(w, f, s, 'same');
    const a = conv(s, 'same');
    list.push(call('DepthwiseConv2dNative', { x: [[n, h, w, c]], filter: [[f, f, c, 1]] }, a));
    list.push(
      call(
        'DepthwiseConv2dNativeBackpropFilter',
        { x: [[n, h, w, c]], dy: [[n, oh, ow, c]] },
        { ...a, filterShape: [f, f, c, 1] },
      ),
    );
    list.push(
      call(
        'DepthwiseConv2dNativeBackpropInput',
        { dy: [[n, oh, ow, c]], filter: [[f, f, c, 1]] },
        { ...a, inputShape: [n, h, w, c] },
      ),
    );
  }
  // Pooling: inputs with few distinct values, so windows hold tied maxima (as after a ReLU).
  for (const [h, f, s, pad, c] of [
    [8, 2, 2, 'valid', 8],
    [9, 2, 2, 'valid', 3],
    [9, 3, 2, 'same', 4],
  ] as const) {
    const attrs = { filterSize: [f, f], strides: [s, s], pad };
    const x = input([[2, h, h, c], 2]);
    const o = tf.tidy(() =>
      tf.maxPool(tf.tensor4d(x.values as Float32Array, x.shape as [number, number, number, number]), f, s, pad),
    );
    const maxed: RecordedInput = { shape: o.shape, dtype: 'float32', values: o.dataSync() };
    o.dispose();
    const dy = input([o.shape]);
    list.push({ kernel: 'MaxPool', inputs: { x }, attrs, key: `MaxPool ${h} ${f}` });
    list.push({ kernel: 'MaxPoolGrad', inputs: { dy, input: x, output: maxed }, attrs, key: `MaxPoolGrad ${h} ${f}` });
  }
  // Reductions: batch-norm statistics and bias gradients (axes 0-2), global average pooling, the loss.
  for (const axis of [[0, 1, 2], [1, 2], [0], [1]]) {
    list.push(call('Sum', { x: [[4, 12, 12, 6]] }, { axis, keepDims: false }));
    list.push(call('Mean', { x: [[4, 12, 12, 8]] }, { axis, keepDims: axis.length === 1 }));
  }
  list.push(call('Mean', { x: [[4, 3]] }, { axis: null, keepDims: false }));
  list.push(call('Max', { x: [[4, 5]] }, { reductionIndices: [1], keepDims: true }));
  // Dense layers, forward and both gradients (the transposed variants are what the backward pass uses).
  for (const [ta, tb, a, b] of [
    [false, false, [1, 4, 96], [1, 96, 40]],
    [false, true, [1, 4, 40], [1, 96, 40]],
    [true, false, [1, 4, 96], [1, 4, 40]],
  ] as const) {
    list.push(call('BatchMatMul', { a: [[...a]], b: [[...b]] }, { transposeA: ta, transposeB: tb }));
  }
  list.push(
    call(
      '_FusedMatMul',
      { a: [[1, 4, 96]], b: [[1, 96, 40]], bias: [[40]] },
      { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0.2 },
    ),
  );
  list.push(
    call(
      '_FusedMatMul',
      { a: [[1, 4, 96]], b: [[1, 96, 40]], bias: [[40]] },
      { transposeA: false, transposeB: false, activation: 'relu', leakyreluAlpha: 0.2 },
    ),
  );
  // Elementwise, with the broadcasts of batch norm ([c] against NHWC), squeeze-excite and the optimizer.
  const x4: Spec = [[2, 5, 5, 8], 8];
  for (const k of ['Add', 'Sub', 'Multiply']) {
    list.push(call(k, { a: x4, b: [[8]] }));
    list.push(call(k, { a: x4, b: [[2, 1, 1, 8]] }));
  }
  list.push(call('RealDiv', { a: x4, b: [[8]] }));
  for (const k of ['Relu', 'Sigmoid', 'Softplus', 'Neg', 'Square', 'Floor', 'Step', 'Exp', 'Identity'])
    list.push(call(k, { x: x4 }));
  list.push(call('Sqrt', { x: [[2, 5, 5, 8], 8] }));
  list.push(call('Rsqrt', { x: [[8]] }));
  list.push(call('Log', { x: [[4, 5]] }));
  list.push(call('ClipByValue', { x: x4 }, { clipValueMin: 0, clipValueMax: 0.5 }));
  list.push(call('GreaterEqual', { a: x4, b: [[8]] }));
  list.push(call('LessEqual', { a: x4, b: [[8]] }));
  list.push(call('LogicalAnd', { a: [[2, 5, 5, 8], 0, 'bool'], b: [[2, 5, 5, 8], 0, 'bool'] }));
  list.push(call('Select', { condition: [[2, 5, 5, 8], 0, 'bool'], t: x4, e: [[2, 5, 5, 8]] }));
  list.push(call('ZerosLike', { x: x4 }));
  list.push(call('Cast', { x: [[2, 5, 5, 8], 0, 'bool'] }, { dtype: 'float32' }));
  list.push(call('Reshape', { x: x4 }, { shape: [2, 200] }));
  return list;
}

function positive(c: RecordedCall): RecordedCall {
  // Sqrt and Rsqrt are only taken of variances (+ epsilon) and Adam's second moments; Log of softmax sums.
  if (!['Sqrt', 'Rsqrt', 'Log'].includes(c.kernel)) return c;
  const x = c.inputs.x;
  return { ...c, inputs: { x: { ...x, values: (x.values as Float32Array).map((v) => Math.abs(v) + 1e-3) } } };
}

describe.skipIf(webgpuSkipReason !== undefined)(`webgpu kernels against cpu (${adapterLine})`, () => {
  let all: RecordedCall[] = [];
  beforeAll(async () => {
    await initRuntime({ backend: 'webgpu' });
    await tf.setBackend('cpu');
    all = cases().map(positive);
  });
  afterAll(async () => {
    await tf.setBackend('webgpu');
  });

  it(titled('covers every kernel of the zoo training steps'), () => {
    const names = new Set(all.map((c) => c.kernel));
    // From recording one Adam step of each zoo model (kernel-recorder.ts), plus the softmax loss.
    const zoo =
      'Add BatchMatMul Cast ClipByValue Conv2DBackpropFilter Conv2DBackpropInput DepthwiseConv2dNative DepthwiseConv2dNativeBackpropFilter DepthwiseConv2dNativeBackpropInput Floor FusedConv2D GreaterEqual Identity LessEqual LogicalAnd MaxPool MaxPoolGrad Mean Multiply Neg RealDiv Relu Reshape Rsqrt Select Sigmoid Softplus Sqrt Square Step Sub Sum ZerosLike _FusedMatMul Max Exp Log';
    expect(zoo.split(' ').filter((k) => !names.has(k))).toEqual([]);
  });

  it(
    titled('every case matches cpu per element'),
    async () => {
      const bad: string[] = [];
      let worst = { error: 0, key: '' };
      for (const c of all) {
        const expected = await replay('cpu', c);
        const actual = await replay('webgpu', c);
        const error = Math.max(
          ...expected.map((e, i) => (actual[i] === undefined ? Infinity : scaledError(actual[i], e))),
        );
        if (error > worst.error) worst = { error, key: c.key };
        if (!(error < TOLERANCE)) bad.push(`${c.key}: ${error.toExponential(2)}`);
      }
      process.stderr.write(
        `webgpu kernels: ${all.length} cases, worst ${worst.error.toExponential(2)} (${worst.key})\n`,
      );
      expect(bad).toEqual([]);
    },
    300_000,
  );
});

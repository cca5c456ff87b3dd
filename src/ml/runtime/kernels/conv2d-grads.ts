/**
 * Training kernels for 2-D convolution on the wasm backend, built on its fast XNNPACK GEMM and conv:
 *
 * - `Conv2DBackpropFilter` (absent from tfjs-backend-wasm): dW[P, O] = im2colT(x)[P, rows] @ dy[rows, O],
 *   accumulated over batch chunks so the patch buffer stays bounded.
 * - `Conv2DBackpropInput` (the backend's own is ~10× slower than its forward conv): for stride 1 a forward
 *   conv of dy with the flipped, transposed filter (XNNPACK); otherwise cols[rows, P] = dy @ W^T and col2im.
 *
 * Owns: these two kernel functions. Does not own: registration (register.ts). NHWC only (as tfjs-layers).
 */
import * as tf from '@tensorflow/tfjs';
import { col2im, im2colT, type ConvGeometry } from './im2col.js';
import {
  alias,
  alloc,
  chunkSize,
  conv2dExplicit,
  free,
  matMul,
  view,
  zeros,
  type WasmBackendLike,
} from './wasm-heap.js';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function geometry(info: Conv2DInfo): ConvGeometry {
  return {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

function assertNHWC(dataFormat: unknown, kernelName: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} (xpipe wasm kernel): only NHWC is supported, got ${JSON.stringify(dataFormat)}`);
  }
}

/** Copies images [n0, n0+count) of `t` (shape [N, ...rest]) into a new [count*rowsPerImage, width] tensor. */
function sliceImages(
  backend: WasmBackendLike,
  t: tf.TensorInfo,
  n0: number,
  count: number,
  perImage: number,
  shape: number[],
): tf.TensorInfo {
  const out = alloc(backend, shape);
  view(backend, out).set(view(backend, t).subarray(n0 * perImage, (n0 + count) * perImage));
  return out;
}

/** The geometry of an NHWC convolution with dilation 1, as both gradient kernels need it. */
function nhwcConvInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: tf.Conv2DBackpropFilterAttrs['strides'],
  pad: tf.Conv2DBackpropFilterAttrs['pad'],
  dimRoundingMode: tf.Conv2DBackpropFilterAttrs['dimRoundingMode'],
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
}

export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertNHWC(dataFormat, 'Conv2DBackpropFilter');
  const info = nhwcConvInfo(x.shape, filterShape, strides, pad, dimRoundingMode);
  const g = geometry(info);
  const N = info.batchSize;
  const O = info.outChannels;
  const P = g.filterHeight * g.filterWidth * g.inChannels;
  const perImageRows = g.outHeight * g.outWidth;
  const chunk = chunkSize(N, P * perImageRows);
  let acc: tf.TensorInfo | undefined;
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    const rows = count * perImageRows;
    const colsT = alloc(b, [P, rows]);
    const dyChunk = count === N ? alias(b, dy, [rows, O]) : sliceImages(b, dy, n0, count, perImageRows * O, [rows, O]);
    const xAll = view(b, x);
    im2colT(xAll.subarray(n0 * g.inHeight * g.inWidth * g.inChannels), g, count, view(b, colsT));
    const part = matMul(b, colsT, dyChunk);
    free(b, colsT);
    free(b, dyChunk);
    if (acc === undefined) {
      acc = part;
    } else {
      const sum = view(b, acc);
      const add = view(b, part);
      for (let i = 0; i < sum.length; i++) sum[i] += add[i];
      free(b, part);
    }
  }
  if (acc === undefined) acc = zeros(b, [P, O]);
  return { dataId: acc.dataId, shape: [...filterShape], dtype: 'float32' };
};

export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  assertNHWC(dataFormat, 'Conv2DBackpropInput');
  const info = nhwcConvInfo(inputShape, filter.shape, strides, pad, dimRoundingMode);
  const g = geometry(info);
  if (g.strideHeight === 1 && g.strideWidth === 1) return backpropInputByConv(b, dy, filter, info);
  return backpropInputByGemm(b, dy, filter, info, g);
};

/** Stride 1: dx = conv(dy, flip(W) with in/out swapped), padded so that the output is H×W. */
function backpropInputByConv(
  b: WasmBackendLike,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: Conv2DInfo,
): tf.TensorInfo {
  const { filterHeight: fh, filterWidth: fw, inChannels: C, outChannels: O } = info;
  const flipped = alloc(b, [fh, fw, O, C]);
  const src = view(b, filter);
  const dst = view(b, flipped);
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const s0 = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * C * O;
      const d0 = (kh * fw + kw) * O * C;
      for (let c = 0; c < C; c++) for (let o = 0; o < O; o++) dst[d0 + o * C + c] = src[s0 + c * O + o]!;
    }
  }
  const { top, bottom, left, right } = info.padInfo;
  const out = conv2dExplicit(b, dy, flipped, {
    top: fh - 1 - top,
    bottom: fh - 1 - bottom,
    left: fw - 1 - left,
    right: fw - 1 - right,
  });
  free(b, flipped);
  return out;
}

/** Any stride: cols[rows, P] = dy[rows, O] @ W^T[O, P], then col2im, per batch chunk. */
function backpropInputByGemm(
  b: WasmBackendLike,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  info: Conv2DInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const N = info.batchSize;
  const O = info.outChannels;
  const P = g.filterHeight * g.filterWidth * g.inChannels;
  const wT = alloc(b, [O, P]);
  const w = view(b, filter);
  const t = view(b, wT);
  for (let p = 0; p < P; p++) for (let o = 0; o < O; o++) t[o * P + p] = w[p * O + o]!;
  const imageSize = g.inHeight * g.inWidth * g.inChannels;
  const dx = zeros(b, [N, g.inHeight, g.inWidth, g.inChannels]);
  const perImageRows = g.outHeight * g.outWidth;
  const chunk = chunkSize(N, P * perImageRows);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const count = Math.min(chunk, N - n0);
    const rows = count * perImageRows;
    const dyChunk = count === N ? alias(b, dy, [rows, O]) : sliceImages(b, dy, n0, count, perImageRows * O, [rows, O]);
    const cols = matMul(b, dyChunk, wT);
    free(b, dyChunk);
    col2im(view(b, cols), g, count, view(b, dx).subarray(n0 * imageSize));
    free(b, cols);
  }
  free(b, wT);
  return dx;
}

/**
 * TF.js kernels for the wasm backend that run natively (native/onednn.cc) instead of in WebAssembly:
 * oneDNN's JIT (AVX2/AVX-512) for the convolutions (forward and both gradients) and the matrix multiplies,
 * and OpenMP loops for batch norm (training passes and inference), the max-pool gradient, channel sums, large
 * elementwise ops and the Adam step. They read and write the tensors in place on the wasm heap, so a tensor
 * never leaves the backend. Anything they do not cover (NCHW, an activation other than linear/ReLU, PReLU
 * weights, other broadcasts, small tensors) falls through to the kernel registered before them.
 *
 * Owns: these kernel functions, their coverage rules and their registration. Does not own: loading the addon
 * (addon.ts), the models' and optimizer's use of the fused kernels (fast-batch-norm.ts, fused-adam.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, view, type WasmBackendLike } from '../kernels/wasm-heap.js';
import { fastLeadingAxesSum } from '../kernels/channel-sum.js';
import { ADAM_UPDATE, BATCH_NORM_BACKWARD, BATCH_NORM_FORWARD, CHANNEL_SUM } from '../kernel-names.js';
import { maxPoolGradInfo } from '../kernels/max-pool-grad.js';
import type { NativeConvGeometry, OnednnAddon } from './addon.js';

type Conv2DInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;

function nativeGeometry(info: Conv2DInfo): NativeConvGeometry {
  return {
    x: [info.batchSize, info.inHeight, info.inWidth, info.inChannels],
    filter: [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels],
    y: [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    padBottom: info.padInfo.bottom,
    padRight: info.padInfo.right,
  };
}

function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: {
    strides: number | [number, number];
    pad: unknown;
    dilations?: number | [number, number];
    dimRoundingMode?: unknown;
  },
): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
    false,
    'channelsLast',
  );
}

const isNHWC = (dataFormat: unknown): boolean => dataFormat === undefined || dataFormat === 'NHWC';
const asOutput = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: 'float32' });

/** Conv2D and FusedConv2D (bias, linear or ReLU). */
function conv2d(addon: OnednnAddon, fallback: tf.KernelFunc | undefined, fused: boolean): tf.KernelFunc {
  return (args) => {
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf.FusedConv2DAttrs;
    const activation = fused ? attrs.activation : 'linear';
    const supported =
      isNHWC(attrs.dataFormat) &&
      (activation === 'linear' || activation === 'relu') &&
      preluActivationWeights === undefined &&
      x!.dtype === 'float32' &&
      (bias === undefined || tf.util.sizeFromShape(bias.shape) === filter!.shape[3]);
    if (!supported) {
      if (fallback === undefined) throw new Error(`${fused ? 'FusedConv2D' : 'Conv2D'}: unsupported arguments`);
      return fallback(args);
    }
    const b = args.backend as unknown as WasmBackendLike;
    const info = convInfo(x!.shape, filter!.shape, attrs);
    const g = nativeGeometry(info);
    const y = alloc(b, g.y);
    addon.conv2dForward(
      g,
      view(b, x!),
      view(b, filter!),
      bias === undefined ? null : view(b, bias),
      view(b, y),
      activation === 'relu',
    );
    return y;
  };
}

function conv2dBackpropFilter(addon: OnednnAddon, fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (!isNHWC(attrs.dataFormat) && fallback !== undefined) return fallback(args);
    const b = args.backend as unknown as WasmBackendLike;
    const g = nativeGeometry(convInfo(x.shape, attrs.filterShape, attrs));
    const dw = alloc(b, [...attrs.filterShape]);
    addon.conv2dBackwardWeights(g, view(b, x), view(b, dy), view(b, dw));
    return dw;
  };
}

function conv2dBackpropInput(addon: OnednnAddon, fallback: tf.KernelFunc | undefined): tf.KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (!isNHWC(attrs.dataFormat) && fallback !== undefined) return fallback(args);
    const b = args.backend as unknown as WasmBackendLike;
    const g = nativeGeometry(convInfo([...attrs.inputShape], filter.shape, attrs));
    const dx = alloc(b, [...attrs.inputShape]);
    addon.conv2dBackwardData(g, view(b, dy), view(b, filter), view(b, dx));
    return dx;
  };
}

/** [batch, rows, cols] of a rank ≥ 2 shape. */
function asBatched(shape: readonly number[]): [number, number, number] {
  const rows = shape.at(-2)!;
  const cols = shape.at(-1)!;
  return [tf.util.sizeFromShape([...shape]) / (rows * cols), rows, cols];
}

/**
 * BatchMatMul and _FusedMatMul (bias over the last axis, linear or ReLU): one sgemm per batch item. Batch
 * broadcasting only where one side has a batch of 1 (as the dense layers and their gradients do).
 */
function matMul(addon: OnednnAddon, fallback: tf.KernelFunc | undefined, fused: boolean): tf.KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as tf._FusedMatMulAttrs;
    const activation = fused ? attrs.activation : 'linear';
    const [batchA, rowsA, colsA] = asBatched(a!.shape);
    const [batchB, rowsB, colsB] = asBatched(b!.shape);
    const m = attrs.transposeA ? colsA : rowsA;
    const k = attrs.transposeA ? rowsA : colsA;
    const n = attrs.transposeB ? rowsB : colsB;
    const batch = Math.max(batchA, batchB);
    const supported =
      (activation === 'linear' || activation === 'relu') &&
      preluActivationWeights === undefined &&
      a!.dtype === 'float32' &&
      b!.dtype === 'float32' &&
      a!.shape.length === b!.shape.length &&
      (batchA === batchB || batchA === 1 || batchB === 1) &&
      (bias === undefined || tf.util.sizeFromShape(bias.shape) === n);
    if (!supported) {
      if (fallback === undefined) throw new Error(`${fused ? '_FusedMatMul' : 'BatchMatMul'}: unsupported arguments`);
      return fallback(args);
    }
    const heap = args.backend as unknown as WasmBackendLike;
    const outShape = [...(batchA >= batchB ? a! : b!).shape.slice(0, -2), m, n];
    const out = alloc(heap, outShape);
    const av = view(heap, a!);
    const bv = view(heap, b!);
    const cv = view(heap, out);
    for (let i = 0; i < batch; i++) {
      const ai = batchA === 1 ? 0 : i;
      const bi = batchB === 1 ? 0 : i;
      addon.sgemm(
        attrs.transposeA,
        attrs.transposeB,
        m,
        n,
        k,
        av.subarray(ai * m * k, (ai + 1) * m * k),
        bv.subarray(bi * k * n, (bi + 1) * k * n),
        cv.subarray(i * m * n, (i + 1) * m * n),
      );
    }
    if (bias !== undefined || activation === 'relu') {
      const bv2 = bias === undefined ? undefined : view(heap, bias);
      for (let row = 0; row < batch * m; row++) {
        const o = row * n;
        for (let j = 0; j < n; j++) {
          const v = cv[o + j] + (bv2 === undefined ? 0 : bv2[j]);
          cv[o + j] = activation === 'relu' && v < 0 ? 0 : v;
        }
      }
    }
    return asOutput(out, outShape);
  };
}

/**
 * inputs value, m, v, gradient (same shape), oneMinusAccBeta1, oneMinusAccBeta2 (scalars); attrs beta1, beta2,
 * epsilon, learningRate → [newValue, newM, newV]. The JS numbers become float32 exactly as TF.js's scalar
 * tensors would (`1 - beta1` is computed in double first, as the stock optimizer does).
 */
function adamUpdate(addon: OnednnAddon): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackendLike;
    const { value, m, v, gradient, oneMinusAccBeta1, oneMinusAccBeta2 } = inputs as Record<string, tf.TensorInfo>;
    const { beta1, beta2, epsilon, learningRate } = attrs as Record<string, number>;
    const outs = [alloc(b, [...value.shape]), alloc(b, [...value.shape]), alloc(b, [...value.shape])];
    const scalars = Float32Array.of(
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      view(b, oneMinusAccBeta1)[0],
      view(b, oneMinusAccBeta2)[0],
      epsilon,
      -learningRate,
    );
    const [nw, nm, nv] = outs.map((t) => view(b, t)) as [Float32Array, Float32Array, Float32Array];
    addon.adamUpdate(scalars, view(b, value), view(b, m), view(b, v), view(b, gradient), nw, nm, nv);
    return outs;
  };
}

function channelSum(addon: OnednnAddon): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const b = backend as unknown as WasmBackendLike;
    const { x } = inputs as { x: tf.TensorInfo };
    const c = x.shape[x.shape.length - 1];
    const out = alloc(b, [c]);
    addon.channelSum(view(b, x), c, view(b, out));
    return out;
  };
}

function maxPoolGrad(addon: OnednnAddon): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackendLike;
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const info = maxPoolGradInfo(input, attrs);
    const dx = alloc(b, [...input.shape]);
    const geometry = {
      x: [...input.shape],
      y: [info.batchSize, info.outHeight, info.outWidth, info.outChannels],
      filter: [info.effectiveFilterHeight, info.effectiveFilterWidth] as [number, number],
      strides: [info.strideHeight, info.strideWidth] as [number, number],
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    };
    addon.maxPoolGrad(geometry, view(b, dy), view(b, input), view(b, dx));
    return dx;
  };
}

/** inputs x[..., C], gamma[C], beta[C]; attr epsilon → [y, xhat, mean, variance, rstd]. */
function batchNormForward(addon: OnednnAddon): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmBackendLike;
    const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
    const c = x.shape[x.shape.length - 1];
    const rows = tf.util.sizeFromShape(x.shape) / c;
    const outs = [alloc(b, [...x.shape]), alloc(b, [...x.shape]), alloc(b, [c]), alloc(b, [c]), alloc(b, [c])];
    const [y, xhat, mean, variance, rstd] = outs.map((t) => view(b, t)) as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    addon.batchNormForward(
      rows,
      c,
      (attrs as { epsilon: number }).epsilon,
      view(b, x),
      view(b, gamma),
      view(b, beta),
      y,
      xhat,
      mean,
      variance,
      rstd,
    );
    return outs;
  };
}

/** TF.js's FusedBatchNorm (inference: the stock layer's path) when every parameter is one value per channel. */
function fusedBatchNorm(addon: OnednnAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const c = x!.shape[x!.shape.length - 1];
    const perChannel = [mean, variance, offset, scale].every(
      (t) =>
        t === undefined || (t.dtype === 'float32' && tf.util.sizeFromShape([...t.shape]) === c && t.shape.at(-1) === c),
    );
    if (x!.dtype !== 'float32' || !perChannel || mean === undefined || variance === undefined) return fallback(args);
    const b = args.backend as unknown as WasmBackendLike;
    const y = alloc(b, [...x!.shape]);
    const optional = (t: tf.TensorInfo | undefined): Float32Array | null => (t === undefined ? null : view(b, t));
    const epsilon = (args.attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
    addon.batchNormInference(
      tf.util.sizeFromShape([...x!.shape]) / c,
      c,
      epsilon,
      view(b, x!),
      view(b, mean),
      view(b, variance),
      optional(offset),
      optional(scale),
      view(b, y),
    );
    return y;
  };
}

/** inputs dy, xhat (as x), gamma, rstd → [dx, dGamma, dBeta]. */
function batchNormBackward(addon: OnednnAddon): tf.KernelFunc {
  return ({ inputs, backend }) => {
    const b = backend as unknown as WasmBackendLike;
    const { dy, xhat, gamma, rstd } = inputs as Record<string, tf.TensorInfo>;
    const c = dy.shape[dy.shape.length - 1];
    const rows = tf.util.sizeFromShape(dy.shape) / c;
    const outs = [alloc(b, [...dy.shape]), alloc(b, [c]), alloc(b, [c])];
    const [dx, dGamma, dBeta] = outs.map((t) => view(b, t)) as [Float32Array, Float32Array, Float32Array];
    addon.batchNormBackward(rows, c, view(b, dy), view(b, xhat), view(b, gamma), view(b, rstd), dx, dGamma, dBeta);
    return outs;
  };
}

/** Below this many elements the backend's own elementwise kernel is cheaper than a native call. */
const NATIVE_ELEMENTWISE_MIN = 4096;

/** Which operand shapes the native elementwise loop covers: equal, a scalar, or a vector over the last axis. */
function simpleBroadcast(a: readonly number[], b: readonly number[], out: readonly number[]): boolean {
  const size = (s: readonly number[]): number => tf.util.sizeFromShape([...s]);
  const n = size(out);
  const fits = (s: readonly number[]): boolean =>
    size(s) === n
      ? tf.util.arraysEqual([...s], [...out])
      : size(s) === 1 || (size(s) === out.at(-1) && s.at(-1) === out.at(-1));
  return fits(a) && fits(b) && (size(a) === n || size(b) === n);
}

const BINARY_OPS = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const;
const UNARY_OPS = { Relu: 0, Square: 1, Sqrt: 2 } as const;

function binary(addon: OnednnAddon, op: number, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape([...a.shape], [...b.shape]);
    if (tf.util.sizeFromShape(outShape) < NATIVE_ELEMENTWISE_MIN || !simpleBroadcast(a.shape, b.shape, outShape)) {
      return fallback(args);
    }
    const heap = args.backend as unknown as WasmBackendLike;
    const out = alloc(heap, outShape);
    addon.binary(op, view(heap, a), view(heap, b), view(heap, out));
    return out;
  };
}

function unary(addon: OnednnAddon, op: number, fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' || tf.util.sizeFromShape([...x.shape]) < NATIVE_ELEMENTWISE_MIN) return fallback(args);
    const heap = args.backend as unknown as WasmBackendLike;
    const out = alloc(heap, [...x.shape]);
    addon.unary(op, view(heap, x), view(heap, out));
    return out;
  };
}

/** Registers the oneDNN kernels for `wasm` over whatever is registered now; returns their names. */
export function registerOnednnKernels(addon: OnednnAddon): string[] {
  const previous = (name: string): tf.KernelFunc | undefined => tf.getKernel(name, 'wasm')?.kernelFunc;
  const kernels: Record<string, tf.KernelFunc> = {
    Conv2D: conv2d(addon, previous('Conv2D'), false),
    FusedConv2D: conv2d(addon, previous('FusedConv2D'), true),
    Conv2DBackpropFilter: conv2dBackpropFilter(addon, previous('Conv2DBackpropFilter')),
    Conv2DBackpropInput: conv2dBackpropInput(addon, previous('Conv2DBackpropInput')),
    BatchMatMul: matMul(addon, previous('BatchMatMul'), false),
    _FusedMatMul: matMul(addon, previous('_FusedMatMul'), true),
    MaxPoolGrad: maxPoolGrad(addon),
    [CHANNEL_SUM]: channelSum(addon),
    [BATCH_NORM_FORWARD]: batchNormForward(addon),
    [BATCH_NORM_BACKWARD]: batchNormBackward(addon),
    [ADAM_UPDATE]: adamUpdate(addon),
  };
  for (const [name, op] of Object.entries(BINARY_OPS)) {
    const original = previous(name);
    if (original !== undefined) kernels[name] = binary(addon, op, original);
  }
  for (const [name, op] of Object.entries(UNARY_OPS)) {
    const original = previous(name);
    if (original !== undefined) kernels[name] = unary(addon, op, original);
  }
  const batchNorm = previous('FusedBatchNorm');
  if (batchNorm !== undefined) kernels.FusedBatchNorm = fusedBatchNorm(addon, batchNorm);
  const sum = tf.getKernel('Sum', 'wasm');
  if (sum !== undefined) kernels.Sum = fastLeadingAxesSum(sum.kernelFunc, kernels[CHANNEL_SUM]);
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
  return Object.keys(kernels);
}

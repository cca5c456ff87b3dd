/**
 * `XpipeChannelSum` (a project kernel, wasm): sums x[..., C] over every leading axis → [C] in one
 * sequential pass. The backend's own `Sum` over axes [0, 1, 2] of NHWC transposes the whole tensor first.
 * Used by the fast batch-norm (src/ml/models/fast-batch-norm.ts) when the kernel is registered for the
 * active backend; no gradient (it is only called inside a custom gradient).
 *
 * Owns: the kernel and its name.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, view, type WasmBackendLike } from './wasm-heap.js';

export { CHANNEL_SUM } from '../kernel-names.js';

/** Column sums of a row-major [rows, c] array, four rows per step (2.4× fewer accumulator round trips). */
export function sumRows(src: Float32Array, c: number): Float64Array {
  const acc = new Float64Array(c);
  const n = src.length;
  const c2 = 2 * c;
  const c3 = 3 * c;
  let i = 0;
  for (; i + 4 * c <= n; i += 4 * c) {
    for (let j = 0; j < c; j++) {
      const k = i + j;
      acc[j] += src[k] + src[k + c] + (src[k + c2] + src[k + c3]);
    }
  }
  for (; i < n; i += c) for (let j = 0; j < c; j++) acc[j] += src[i + j];
  return acc;
}

export const channelSumKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x } = inputs as { x: tf.TensorInfo };
  const c = x.shape[x.shape.length - 1];
  const out = alloc(b, [c]);
  const src = view(b, x);
  view(b, out).set(sumRows(src, c));
  return out;
};

/**
 * Wraps the backend's `Sum`: a float32 sum over exactly the leading axes (bias gradients of conv and dense
 * layers) takes the one-pass channel sum; anything else goes to the backend's own kernel.
 */
export function fastLeadingAxesSum(original: tf.KernelFunc, sum: tf.KernelFunc = channelSumKernel): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = rank >= 2 && x.dtype === 'float32' && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (!leading) return original(args);
    const out = sum(args) as tf.TensorInfo;
    const c = x.shape[rank - 1];
    return { ...out, shape: keepDims ? [...Array.from({ length: rank - 1 }, () => 1), c] : [c] };
  };
}

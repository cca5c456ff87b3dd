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

export const CHANNEL_SUM = 'XpipeChannelSum';

export const channelSumKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x } = inputs as { x: tf.TensorInfo };
  const c = x.shape[x.shape.length - 1]!;
  const out = alloc(b, [c]);
  const src = view(b, x);
  const acc = new Float64Array(c);
  for (let i = 0; i < src.length; i += c) for (let j = 0; j < c; j++) acc[j]! += src[i + j]!;
  view(b, out).set(acc);
  return out;
};

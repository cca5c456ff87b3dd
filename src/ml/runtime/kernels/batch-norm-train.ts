/**
 * Fused training-mode batch normalisation for the wasm backend (project kernels, channels-last):
 *
 * - `XpipeBatchNormTrain` {x, gamma, beta} (epsilon) → [y, mean, variance]: one pass for the per-channel
 *   sums of x and x² (float64 accumulators), one pass writing y = (x − mean)·r·γ + β, r = 1/√(var + ε).
 * - `XpipeBatchNormTrainGrad` {dy, x, mean, variance, gamma} (epsilon) → [dx, dgamma, dbeta]: one pass for
 *   Σdy and Σdy·x̂, one pass writing dx = γr/R · (R·dy − Σdy − x̂·Σdy·x̂).
 *
 * Four passes over the activations instead of about fifteen elementwise ops and reductions.
 * Used by src/ml/models/fast-batch-norm.ts when registered for the active backend (no gradient of their own).
 *
 * Owns: the kernels and their names.
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, view, type WasmBackendLike } from './wasm-heap.js';

export const BATCH_NORM_TRAIN = 'XpipeBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'XpipeBatchNormTrainGrad';

function epsilonOf(attrs: tf.NamedAttrMap | undefined): number {
  return (attrs as { epsilon?: number } | undefined)?.epsilon ?? 1e-3;
}

export const batchNormTrainKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, gamma, beta } = inputs as { x: tf.TensorInfo; gamma: tf.TensorInfo; beta: tf.TensorInfo };
  const c = x.shape[x.shape.length - 1]!;
  const y = alloc(b, [...x.shape]);
  const meanOut = alloc(b, [c]);
  const varOut = alloc(b, [c]);
  const xs = view(b, x);
  const rows = xs.length / c;
  const s1 = new Float64Array(c);
  const s2 = new Float64Array(c);
  for (let i = 0; i < xs.length; i += c) {
    for (let j = 0; j < c; j++) {
      const v = xs[i + j]!;
      s1[j]! += v;
      s2[j]! += v * v;
    }
  }
  const mean = new Float32Array(c);
  const variance = new Float32Array(c);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  const g = view(b, gamma);
  const be = view(b, beta);
  const eps = epsilonOf(attrs);
  for (let j = 0; j < c; j++) {
    const m = s1[j]! / rows;
    const v = Math.max(0, s2[j]! / rows - m * m);
    mean[j] = m;
    variance[j] = v;
    scale[j] = g[j]! / Math.sqrt(v + eps);
    shift[j] = be[j]! - m * scale[j]!;
  }
  const ys = view(b, y);
  for (let i = 0; i < xs.length; i += c) for (let j = 0; j < c; j++) ys[i + j] = xs[i + j]! * scale[j]! + shift[j]!;
  view(b, meanOut).set(mean);
  view(b, varOut).set(variance);
  return [y, meanOut, varOut];
};

export const batchNormTrainGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, x, mean, variance, gamma } = inputs as Record<'dy' | 'x' | 'mean' | 'variance' | 'gamma', tf.TensorInfo>;
  const c = x.shape[x.shape.length - 1]!;
  const dx = alloc(b, [...x.shape]);
  const dGammaOut = alloc(b, [c]);
  const dBetaOut = alloc(b, [c]);
  const xs = view(b, x);
  const dys = view(b, dy);
  const m = view(b, mean);
  const v = view(b, variance);
  const g = view(b, gamma);
  const rows = xs.length / c;
  const eps = epsilonOf(attrs);
  const r = new Float32Array(c);
  for (let j = 0; j < c; j++) r[j] = 1 / Math.sqrt(v[j]! + eps);
  const sumDy = new Float64Array(c);
  const sumDyXhat = new Float64Array(c);
  for (let i = 0; i < xs.length; i += c) {
    for (let j = 0; j < c; j++) {
      const d = dys[i + j]!;
      sumDy[j]! += d;
      sumDyXhat[j]! += d * (xs[i + j]! - m[j]!) * r[j]!;
    }
  }
  // dx = k·dy + p·x + q with k = γr, p = −k·r·Σdy·x̂/R, q = −k·Σdy/R − p·mean.
  const k = new Float32Array(c);
  const p = new Float32Array(c);
  const q = new Float32Array(c);
  for (let j = 0; j < c; j++) {
    k[j] = g[j]! * r[j]!;
    p[j] = (-k[j]! * r[j]! * sumDyXhat[j]!) / rows;
    q[j] = (-k[j]! * sumDy[j]!) / rows - p[j]! * m[j]!;
  }
  const out = view(b, dx);
  for (let i = 0; i < xs.length; i += c) {
    for (let j = 0; j < c; j++) out[i + j] = k[j]! * dys[i + j]! + p[j]! * xs[i + j]! + q[j]!;
  }
  view(b, dGammaOut).set(sumDyXhat);
  view(b, dBetaOut).set(sumDy);
  return [dx, dGammaOut, dBetaOut];
};

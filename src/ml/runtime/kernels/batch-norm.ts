/**
 * Fused passes of the fast batch-norm's training step (src/ml/models/fast-batch-norm.ts), as project
 * kernels on the wasm heap. Each replaces a chain of elementwise ops that wrote a full-size tensor per op:
 *
 * - `XpipeCenteredSquareSum(x, mean)` → Σ (x − mean)² per channel (was sub, square, channel sum);
 * - `XpipeBatchNormApply(x, mean, r, gamma, beta)` → [x̂, y] with x̂ = (x − mean)·r, y = x̂·γ + β
 *   (was sub, mul, mul, add);
 * - `XpipeBatchNormGradSums(dy, x̂)` → [Σdy, Σ(dy·x̂)] per channel (was two channel sums and a mul);
 * - `XpipeBatchNormGradInput(dy, x̂, k, b, a)` → dx = (dy·k + x̂·b) + a (was two muls and two adds).
 *
 * Bit-identical to the op chains they replace: every elementwise result is rounded to float32 exactly as
 * the float32 op would (Math.fround of a double result of one +, − or × of floats is the float32 result),
 * and sums use sumRows' order and float64 accumulators. So swapping them in does not change model files.
 *
 * Owns: these kernels and their names. Does not own: the batch-norm maths (fast-batch-norm.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { alloc, view, type WasmBackendLike } from './wasm-heap.js';

export const CENTERED_SQUARE_SUM = 'XpipeCenteredSquareSum';
export const BATCH_NORM_APPLY = 'XpipeBatchNormApply';
export const BATCH_NORM_GRAD_SUMS = 'XpipeBatchNormGradSums';
export const BATCH_NORM_GRAD_INPUT = 'XpipeBatchNormGradInput';

const fround = Math.fround;

/** Channels of a channels-last tensor. */
function channels(x: tf.TensorInfo): number {
  return x.shape[x.shape.length - 1]!;
}

export const centeredSquareSumKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, mean } = inputs as { x: tf.TensorInfo; mean: tf.TensorInfo };
  const c = channels(x);
  const out = alloc(b, [c]);
  const xs = view(b, x);
  const m = view(b, mean);
  const acc = new Float64Array(c);
  // sumRows' order: four rows per step, (q0 + q1) + (q2 + q3) added to the float64 accumulator
  const n = xs.length;
  let i = 0;
  for (; i + 4 * c <= n; i += 4 * c) {
    for (let j = 0; j < c; j++) {
      const mj = m[j]!;
      const d0 = fround(xs[i + j]! - mj);
      const d1 = fround(xs[i + c + j]! - mj);
      const d2 = fround(xs[i + 2 * c + j]! - mj);
      const d3 = fround(xs[i + 3 * c + j]! - mj);
      acc[j]! += fround(d0 * d0) + fround(d1 * d1) + (fround(d2 * d2) + fround(d3 * d3));
    }
  }
  for (; i < n; i += c) {
    for (let j = 0; j < c; j++) {
      const d0 = fround(xs[i + j]! - m[j]!);
      acc[j]! += fround(d0 * d0);
    }
  }
  view(b, out).set(acc);
  return out;
};

export const batchNormApplyKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { x, mean, r, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
  const c = channels(x!);
  const xhat = alloc(b, [...x!.shape]);
  const y = alloc(b, [...x!.shape]);
  const xs = view(b, x!);
  const m = view(b, mean!);
  const rs = view(b, r!);
  const g = view(b, gamma!);
  const be = view(b, beta!);
  const h = view(b, xhat);
  const ys = view(b, y);
  for (let i = 0; i < xs.length; i += c) {
    for (let j = 0; j < c; j++) {
      const v = fround(fround(xs[i + j]! - m[j]!) * rs[j]!);
      h[i + j] = v;
      ys[i + j] = fround(v * g[j]!) + be[j]!;
    }
  }
  return [xhat, y];
};

export const batchNormGradSumsKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, xhat } = inputs as { dy: tf.TensorInfo; xhat: tf.TensorInfo };
  const c = channels(dy);
  const dBeta = alloc(b, [c]);
  const dGamma = alloc(b, [c]);
  const d = view(b, dy);
  const h = view(b, xhat);
  const sBeta = new Float64Array(c);
  const sGamma = new Float64Array(c);
  const n = d.length;
  let i = 0;
  for (; i + 4 * c <= n; i += 4 * c) {
    for (let j = 0; j < c; j++) {
      const i0 = i + j;
      const i1 = i0 + c;
      const i2 = i1 + c;
      const i3 = i2 + c;
      sBeta[j]! += d[i0]! + d[i1]! + (d[i2]! + d[i3]!);
      sGamma[j]! +=
        fround(d[i0]! * h[i0]!) + fround(d[i1]! * h[i1]!) + (fround(d[i2]! * h[i2]!) + fround(d[i3]! * h[i3]!));
    }
  }
  for (; i < n; i += c) {
    for (let j = 0; j < c; j++) {
      sBeta[j]! += d[i + j]!;
      sGamma[j]! += fround(d[i + j]! * h[i + j]!);
    }
  }
  view(b, dBeta).set(sBeta);
  view(b, dGamma).set(sGamma);
  return [dBeta, dGamma];
};

export const batchNormGradInputKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const b = backend as unknown as WasmBackendLike;
  const { dy, xhat, k, bb, a } = inputs as Record<string, tf.TensorInfo>;
  const c = channels(dy!);
  const dx = alloc(b, [...dy!.shape]);
  const d = view(b, dy!);
  const h = view(b, xhat!);
  const ks = view(b, k!);
  const bs = view(b, bb!);
  const as = view(b, a!);
  const out = view(b, dx);
  for (let i = 0; i < d.length; i += c) {
    for (let j = 0; j < c; j++) {
      out[i + j] = fround(fround(d[i + j]! * ks[j]!) + fround(h[i + j]! * bs[j]!)) + as[j]!;
    }
  }
  return dx;
};

/**
 * Registers the project's training kernels for the `wasm` backend (replacing slower built-ins).
 *
 * Owns: the list of kernels and the registration, once per process. Does not own: the kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { fastTransposedBatchMatMul } from './batch-matmul.js';
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from './conv2d-grads.js';
import { CHANNEL_SUM, channelSumKernel, fastLeadingAxesSum } from './channel-sum.js';
import { maxPoolGradKernel } from './max-pool-grad.js';
import { depthwiseBackpropFilterKernel, depthwiseBackpropInputKernel } from './depthwise-grads.js';
import { aliasingCast, aliasingIdentity } from './identity.js';

/** Kernel name → implementation. A built-in of the same name is replaced (ours is faster or it is absent). */
export const WASM_TRAINING_KERNELS: Readonly<Record<string, tf.KernelFunc>> = {
  Conv2DBackpropFilter: conv2dBackpropFilterKernel,
  Conv2DBackpropInput: conv2dBackpropInputKernel,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilterKernel,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInputKernel,
  MaxPoolGrad: maxPoolGradKernel,
  [CHANNEL_SUM]: channelSumKernel,
  Identity: aliasingIdentity,
};

let registered: string[] | undefined;

/** Kernels that wrap the backend's own implementation (built from it at registration). */
const WRAPPED: Readonly<Record<string, (original: tf.KernelFunc) => tf.KernelFunc>> = {
  BatchMatMul: fastTransposedBatchMatMul,
  Sum: fastLeadingAxesSum,
  Cast: aliasingCast,
};

/** Registers {@link WASM_TRAINING_KERNELS} (and wrappers) for `wasm`; returns their names. Idempotent. */
export function registerWasmTrainingKernels(): string[] {
  if (registered !== undefined) return registered;
  registered = [];
  const kernels: Record<string, tf.KernelFunc> = { ...WASM_TRAINING_KERNELS };
  for (const [kernelName, wrap] of Object.entries(WRAPPED)) {
    const original = tf.getKernel(kernelName, 'wasm');
    if (original !== undefined) kernels[kernelName] = wrap(original.kernelFunc);
  }
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
    registered.push(kernelName);
  }
  return registered;
}

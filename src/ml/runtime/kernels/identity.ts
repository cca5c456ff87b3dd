/**
 * `Identity` (and `Cast` to the same dtype) on the wasm backend as a reference to the input's memory, as
 * the `cpu` backend and the wasm backend's own `Reshape` do. The built-ins copy the tensor, and training
 * calls them ~100 times a step (gradients of adds, the optimizer), a tenth of ChestNetS's step. Sharing is
 * safe because no wasm kernel writes into an input: every kernel allocates its outputs.
 *
 * Owns: the two kernel functions. Does not own: registration (register.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { alias, type WasmBackendLike } from './wasm-heap.js';

export const aliasingIdentity: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: tf.TensorInfo };
  return alias(backend as unknown as WasmBackendLike, x, [...x.shape]);
};

/** Wraps the backend's `Cast`: a cast to the input's own dtype is an alias. */
export function aliasingCast(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if ((args.attrs as unknown as tf.CastAttrs).dtype !== x.dtype || x.dtype === 'string') return original(args);
    return aliasingIdentity(args);
  };
}

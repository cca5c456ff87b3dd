/**
 * `BatchMatMul` for the wasm backend with fast transposed operands. The backend's XNNPACK path handles only
 * `a @ b`; with `transposeA`/`transposeB` it falls back to a naive loop ~10× slower, and gradients of every
 * dense layer and matmul use exactly those flags. We transpose the operand explicitly (a cheap copy) and
 * call the backend's fast path.
 *
 * Owns: the wrapper. Does not own: registration (register.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { free, type WasmBackendLike } from './wasm-heap.js';

function transposeLastTwo(backend: tf.KernelBackend, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (transpose === undefined) throw new Error('wasm backend has no Transpose kernel');
  return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as tf.TensorInfo;
}

/** Wraps the backend's own BatchMatMul `original` so transposed operands take the fast path. */
export function fastTransposedBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original(args);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const ta = transposeA ? transposeLastTwo(args.backend as tf.KernelBackend, a) : a;
    const tb = transposeB ? transposeLastTwo(args.backend as tf.KernelBackend, b) : b;
    const out = original({
      ...args,
      inputs: { a: ta, b: tb },
      attrs: { ...args.attrs, transposeA: false, transposeB: false },
    });
    const heap = args.backend as unknown as WasmBackendLike;
    if (ta !== a) free(heap, ta);
    if (tb !== b) free(heap, tb);
    return out;
  };
}

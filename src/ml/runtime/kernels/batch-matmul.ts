/**
 * `BatchMatMul` for the wasm backend with fast transposed operands. The backend's XNNPACK path handles only
 * `a @ b`; with `transposeA`/`transposeB` it falls back to a naive loop ~10× slower, and gradients of every
 * dense layer and matmul use exactly those flags. We transpose operands explicitly (a copy) and call the
 * backend's fast path: either op(a) @ op(b) directly, or (op(b)ᵀ @ op(a)ᵀ)ᵀ, whichever copies fewer
 * floats. For a dense layer's input gradient dy[32, 512] @ W[8192, 512]ᵀ the second copies dy and the
 * small result instead of the 4M-float weight matrix. Both compute each output as the same K-long dot
 * product in the same order (XNNPACK never splits K), so the choice does not change results.
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
    const backend = args.backend as tf.KernelBackend;
    const heap = args.backend as unknown as WasmBackendLike;
    const size = (t: tf.TensorInfo): number => tf.util.sizeFromShape(t.shape);
    const m = a.shape[a.shape.length - (transposeA ? 1 : 2)];
    const n = b.shape[b.shape.length - (transposeB ? 2 : 1)];
    const batch = Math.max(
      size(a) / (a.shape.at(-1)! * a.shape.at(-2)!),
      size(b) / (b.shape.at(-1)! * b.shape.at(-2)!),
    );
    const direct = (transposeA ? size(a) : 0) + (transposeB ? size(b) : 0);
    const swapped = (transposeA ? 0 : size(a)) + (transposeB ? 0 : size(b)) + batch * m * n;
    const call = (x: tf.TensorInfo, y: tf.TensorInfo): tf.TensorInfo =>
      original({
        ...args,
        inputs: { a: x, b: y },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
    if (direct <= swapped) {
      const ta = transposeA ? transposeLastTwo(backend, a) : a;
      const tb = transposeB ? transposeLastTwo(backend, b) : b;
      const out = call(ta, tb);
      if (ta !== a) free(heap, ta);
      if (tb !== b) free(heap, tb);
      return out;
    }
    // Cᵀ = op(b)ᵀ @ op(a)ᵀ, where op(b)ᵀ is b itself when transposeB (and likewise for a).
    const x = transposeB ? b : transposeLastTwo(backend, b);
    const y = transposeA ? a : transposeLastTwo(backend, a);
    const outT = call(x, y);
    if (x !== b) free(heap, x);
    if (y !== a) free(heap, y);
    const out = transposeLastTwo(backend, outT);
    free(heap, outT);
    return out;
  };
}

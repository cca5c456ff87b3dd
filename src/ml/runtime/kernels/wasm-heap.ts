/**
 * Typed access to the parts of the tfjs wasm backend that the project's kernels use: allocating outputs
 * on the wasm heap, viewing tensors in place, and calling the backend's own kernels (XNNPACK matmul and
 * conv) on heap tensors without going through the public op API (so no gradient tape, no extra copies).
 *
 * Owns: these helpers only. Rule for callers: a heap view is invalid after ANY allocation (the wasm
 * memory may grow), so allocate first, then take views.
 */
import * as tf from '@tensorflow/tfjs';

/** The subset of `BackendWasm` the kernels rely on (stable across tfjs 4.x). */
export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): boolean;
  incRef(dataId: tf.DataId): void;
}

/** Float view of a float32 tensor on the heap, optionally with another shape (same size or smaller). */
export function view(backend: WasmBackendLike, t: tf.TensorInfo, shape: number[] = t.shape): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap({ dataId: t.dataId, shape, dtype: 'float32' }) as Float32Array;
}

/** Allocates a float32 output. Its memory is NOT zeroed. */
export function alloc(backend: WasmBackendLike, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/** Allocates a float32 output filled with zeros. */
export function zeros(backend: WasmBackendLike, shape: number[]): tf.TensorInfo {
  const out = alloc(backend, shape);
  view(backend, out).fill(0);
  return out;
}

export function free(backend: WasmBackendLike, t: tf.TensorInfo): void {
  backend.disposeData(t.dataId);
}

function kernel(name: string): tf.KernelFunc {
  const config = tf.getKernel(name, 'wasm');
  if (config === undefined) throw new Error(`wasm backend has no ${name} kernel`);
  return config.kernelFunc;
}

/** `a[M,K] @ b[K,N]` through the backend's XNNPACK matmul (the fast path: no transposes). */
export function matMul(backend: WasmBackendLike, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const out = kernel('BatchMatMul')({
    inputs: { a, b },
    backend: backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  return { dataId: out.dataId, shape: [a.shape[0], b.shape[1]], dtype: 'float32' };
}

/** NHWC stride-1 convolution with explicit padding through the backend's XNNPACK Conv2D. */
export function conv2dExplicit(
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  pad: { top: number; bottom: number; left: number; right: number },
): tf.TensorInfo {
  return kernel('Conv2D')({
    inputs: { x, filter },
    backend: backend,
    attrs: {
      strides: [1, 1],
      pad: [
        [0, 0],
        [pad.top, pad.bottom],
        [pad.left, pad.right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    } as unknown as tf.NamedAttrMap,
  }) as tf.TensorInfo;
}

/** A tensor info sharing `t`'s memory under another shape (caller must `free` it: refcount +1). */
export function alias(backend: WasmBackendLike, t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  backend.incRef(t.dataId);
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Upper bound of an im2col buffer, in floats (32 MB). Mutable so tests can force the chunked path. */
export const im2colLimit = { floats: 8 * 1024 * 1024 };

/** Images per chunk so that an im2col buffer of `floatsPerImage` floats per image stays bounded. */
export function chunkSize(batch: number, floatsPerImage: number): number {
  return Math.max(1, Math.min(batch, Math.floor(im2colLimit.floats / Math.max(1, floatsPerImage))));
}

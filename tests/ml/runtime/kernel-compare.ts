// Shared by the kernel tests: seeded inputs and one kernel run on a chosen backend.
import * as tf from '@tensorflow/tfjs';

/** Deterministic values in [-1, 1); levels > 0 rounds them to few distinct values (pooling ties). */
export function random(shape: number[], seed: number, levels = 0): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = s / 2 ** 31 - 1;
    out[i] = levels > 0 ? Math.round(v * levels) / levels : v;
  }
  return out;
}

/** Runs `kernel` on `backend` with fresh tensors and returns the output values. */
export async function run(
  backend: string,
  kernel: string,
  inputs: Record<string, [number[], Float32Array]>,
  attrs: Record<string, unknown>,
): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, [shape, v]]) => [k, tf.tensor(v, shape)]));
  const out = tf.engine().runKernel<tf.Tensor>(kernel, tensors, attrs as tf.NamedAttrMap);
  const values = (await out.data()) as Float32Array;
  out.dispose();
  for (const t of Object.values(tensors)) t.dispose();
  return values;
}

// Records every kernel call (name, inputs, attributes) that a piece of tfjs code makes, and replays one call
// on a chosen backend. Used to check a backend per element against `cpu` on exactly the kernels, shapes and
// attributes a model's training step uses, without listing them by hand.
import * as tf from '@tensorflow/tfjs';

/** One recorded input: shape, dtype and values (read on the recording backend). */
export interface RecordedInput {
  shape: number[];
  dtype: tf.DataType;
  values: tf.TypedArray;
}

/** One kernel call. `key` identifies its kernel, input shapes/dtypes and attributes (not the values). */
export interface RecordedCall {
  kernel: string;
  inputs: Record<string, RecordedInput>;
  attrs: Record<string, unknown>;
  key: string;
}

type RunKernel = (kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => tf.Tensor | tf.Tensor[];

/**
 * Runs `fn` (synchronously: the engine's runKernel is patched for its duration) and returns the first call
 * of each distinct kernel configuration. Nested calls (kernels built from other kernels) are recorded too.
 */
export function recordKernels(fn: () => void): RecordedCall[] {
  const engine = tf.engine() as unknown as { runKernel: RunKernel };
  const original = engine.runKernel;
  const seen = new Map<string, RecordedCall>();
  engine.runKernel = function (this: unknown, kernel, inputs, attrs) {
    const recorded: Record<string, RecordedInput> = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t === null || t === undefined) continue;
      // A TensorInfo (not a Tensor) may reach runKernel from inside other kernels.
      const values = tf.engine().backend.readSync(t.dataId) as tf.TypedArray;
      recorded[name] = { shape: [...t.shape], dtype: t.dtype, values: values.slice() };
    }
    const copy = structuredClone(attrs ?? {}) as Record<string, unknown>;
    const shapes = Object.entries(recorded).map(([n, r]) => `${n}:${r.dtype}[${r.shape.join(',')}]`);
    const key = `${kernel} ${shapes.join(' ')} ${JSON.stringify(copy)}`;
    if (!seen.has(key)) seen.set(key, { kernel, inputs: recorded, attrs: copy, key });
    return original.call(this, kernel, inputs, attrs);
  };
  try {
    fn();
  } finally {
    engine.runKernel = original;
  }
  return [...seen.values()];
}

/** Replays `call` on `backend` with fresh tensors; returns each output's values. */
export async function replay(backend: string, call: RecordedCall): Promise<tf.TypedArray[]> {
  await tf.setBackend(backend);
  const tensors: tf.NamedTensorMap = {};
  for (const [name, r] of Object.entries(call.inputs)) tensors[name] = tf.tensor(r.values, r.shape, r.dtype);
  const out = tf.engine().runKernel<tf.Tensor | tf.Tensor[]>(call.kernel, tensors, call.attrs as tf.NamedAttrMap);
  const outs = Array.isArray(out) ? out : [out];
  const values = await Promise.all(outs.map((t) => t.data()));
  tf.dispose([...outs, ...Object.values(tensors)]);
  return values;
}

/**
 * max |actual − expected| / max(|expected|, floor): the error relative to the output's scale. The floor
 * keeps outputs that are (almost) all zero, e.g. the gradient of a bias followed by batch norm, from
 * turning rounding noise into a large relative error.
 */
export function scaledError(actual: tf.TypedArray, expected: tf.TypedArray, floor = 1e-6): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    if (Number.isNaN(a) !== Number.isNaN(e)) return Infinity;
    if (Number.isNaN(e) || a === e) continue; // NaN or ±Infinity in both
    diff = Math.max(diff, Math.abs(a - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return diff / scale;
}

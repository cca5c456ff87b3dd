/**
 * The TensorFlow.js runtime: the ONE place that chooses and initialises a tfjs backend.
 *
 * Owns: backend selection (`auto | tensorflow | webgpu | wasm | cpu`, env `XPIPE_TF_BACKEND` overrides the
 * option), loading the optional native packages, registering the project's training kernels for `wasm`, and
 * the wasm thread count. Does not own: models (src/ml/models), model files (src/ml/io), printing (callers
 * pass `log`).
 *
 * How other ML code uses it (decision for every engineer):
 *
 * ```ts
 * import * as tf from '@tensorflow/tfjs';          // always this package, never tfjs-node directly
 * import { initRuntime } from '../runtime/index.js';
 * const info = await initRuntime({ backend: params.runtime.backend, log: ctx.log.info });
 * ```
 *
 * There is exactly one tfjs-core instance: `@tensorflow/tfjs`. When `@tensorflow/tfjs-node(-gpu)` is
 * installed (documented opt-in, see docs/runtime.md) it is imported here only for its side effect of
 * registering the `tensorflow` backend; it depends on `@tensorflow/tfjs` at the same version, so npm dedupes
 * it into that same instance. If it ever brings its own tfjs-core copy (version mismatch), the backend lands
 * in the other copy: we detect that (`tf.findBackend('tensorflow')` stays empty), skip the package with a
 * note telling how to fix the versions, and go on with the next candidate. So no `getTf()` is needed.
 *
 * `auto` order: tfjs-node-gpu → tfjs-node → webgpu on a hardware adapter → wasm (+ project kernels) → cpu.
 * A candidate that is absent or whose native binding fails to load is skipped with a one-line note; so is a
 * software WebGPU adapter (lavapipe, SwiftShader), which is slower than wasm. An explicit request that cannot be
 * honoured throws an Error naming the reason.
 */
import * as tf from '@tensorflow/tfjs';
import { invalid, Reader } from '../params/index.js';
import { tryNative, tryWasm, tryCpu, type Attempt } from './backends.js';
import { tryWebGPU } from './webgpu.js';
import { autoThreads } from './threads-auto.js';

/**
 * A backend the user can ask for. `tensorflow` = the native libtensorflow backend from tfjs-node(-gpu);
 * `webgpu` = tfjs-backend-webgpu on Dawn (any adapter, software included).
 */
export type BackendRequest = 'auto' | 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_REQUESTS: readonly BackendRequest[] = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'];

/** Options of {@link initRuntime}. */
export interface RuntimeOptions {
  /** Backend to use (params `runtime.backend`); default `auto`. `XPIPE_TF_BACKEND` overrides it. */
  backend?: BackendRequest;
  /** Receives one line per decision (`backend: wasm (...)`, skipped candidates). */
  log?: (line: string) => void;
  /**
   * wasm only: threads (default `auto`: the measured fastest safe count for this machine, see
   * threads-auto.ts). 1 = the stock single-threaded build; more loads the threaded-simd build (XNNPACK on
   * Node worker_threads) and runs the project's kernels on as many threads. `XPIPE_WASM_THREADS` overrides it.
   */
  threads?: ThreadsRequest;
  /**
   * wasm only: who runs convolutions and matrix multiplies (default `auto`: oneDNN when the native addon is
   * built, else the backend's own XNNPACK kernels). `onednn` requires the addon; `wasm` never uses it.
   * `XPIPE_KERNELS` overrides it.
   */
  kernels?: KernelsRequest;
}

/** Who runs the wasm backend's heavy kernels: see {@link RuntimeOptions.kernels}. */
export type KernelsRequest = 'auto' | 'onednn' | 'wasm';
export const KERNELS_REQUESTS: readonly KernelsRequest[] = ['auto', 'onednn', 'wasm'];

/** What {@link initRuntime} got. */
export interface RuntimeInfo {
  /** `tf.getBackend()` after initialisation: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  backend: string;
  /** What was asked for after applying `XPIPE_TF_BACKEND`. */
  requested: string;
  /** One line per candidate tried or skipped, and per notable setting. */
  notes: string[];
  /** wasm: the number of threads the backend uses. */
  threads?: number;
  /** wasm: `onednn` when the native kernels run the convolutions and matrix multiplies, else `wasm`. */
  kernels?: 'onednn' | 'wasm';
  /** The npm package that provided the backend, e.g. `@tensorflow/tfjs-node-gpu`. */
  provider?: string;
}

let pending: Promise<RuntimeInfo> | undefined;

/**
 * Initialises TensorFlow.js once per process and returns what was chosen. Idempotent: later calls return
 * the first call's info (whatever options they pass), so call it at the start of every stage.
 */
export function initRuntime(options: RuntimeOptions = {}): Promise<RuntimeInfo> {
  pending ??= select(options).catch((error: unknown) => {
    pending = undefined; // a failed initialisation (bad option, unavailable backend) may be retried
    throw error;
  });
  return pending;
}

/** The wanted backend after applying the environment variable, validated. */
export function resolveRequest(option: unknown, env: NodeJS.ProcessEnv = process.env): BackendRequest {
  const fromEnv = env.XPIPE_TF_BACKEND;
  if (fromEnv !== undefined && fromEnv !== '') {
    return Reader.single('XPIPE_TF_BACKEND', fromEnv).oneOf('XPIPE_TF_BACKEND', BACKEND_REQUESTS, 'auto');
  }
  return new Reader({ backend: option }, 'runtime').oneOf('backend', BACKEND_REQUESTS, 'auto');
}

/** A thread count or `auto`. */
export type ThreadsRequest = number | 'auto';

/** `value` as a thread request (`auto` or a positive integer), or the standard error naming `field`. */
export function parseThreads(value: unknown, field: string): ThreadsRequest {
  if (value === undefined || value === null || value === 'auto') return 'auto';
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  return invalid("'auto' or positive integer", field, value);
}

/** wasm thread request after applying `XPIPE_WASM_THREADS`, validated; default `auto`. */
export function resolveThreads(option: unknown, env: NodeJS.ProcessEnv = process.env): ThreadsRequest {
  const fromEnv = env.XPIPE_WASM_THREADS;
  if (fromEnv !== undefined && fromEnv !== '') {
    return parseThreads(/^\d+$/.test(fromEnv) ? Number(fromEnv) : fromEnv, 'XPIPE_WASM_THREADS');
  }
  return parseThreads(option, 'runtime.threads');
}

/** Kernel request after applying `XPIPE_KERNELS`, validated; default `auto`. */
export function resolveKernels(option: unknown, env: NodeJS.ProcessEnv = process.env): KernelsRequest {
  const fromEnv = env.XPIPE_KERNELS;
  if (fromEnv !== undefined && fromEnv !== '') {
    return Reader.single('XPIPE_KERNELS', fromEnv).oneOf('XPIPE_KERNELS', KERNELS_REQUESTS, 'auto');
  }
  return new Reader({ kernels: option }, 'runtime').oneOf('kernels', KERNELS_REQUESTS, 'auto');
}

async function select(options: RuntimeOptions): Promise<RuntimeInfo> {
  const requested = resolveRequest(options.backend);
  const threadsRequest = resolveThreads(options.threads);
  const kernels = resolveKernels(options.kernels);
  const log = options.log ?? (() => undefined);
  const notes: string[] = [];
  const note = (line: string): void => {
    notes.push(line);
    log(`runtime: ${line}`);
  };
  let threads: number;
  if (threadsRequest === 'auto') {
    const auto = autoThreads();
    threads = auto.threads;
    if (requested === 'auto' || requested === 'wasm') note(`threads auto: ${auto.threads} (${auto.reason})`);
  } else {
    threads = threadsRequest;
  }
  const order: (() => Promise<Attempt>)[] =
    requested === 'auto'
      ? [
          () => tryNative('@tensorflow/tfjs-node-gpu'),
          () => tryNative('@tensorflow/tfjs-node'),
          () => tryWebGPU(false),
          () => tryWasm(threads, kernels),
          tryCpu,
        ]
      : requested === 'tensorflow'
        ? [() => tryNative('@tensorflow/tfjs-node-gpu'), () => tryNative('@tensorflow/tfjs-node')]
        : requested === 'webgpu'
          ? [() => tryWebGPU(true)]
          : requested === 'wasm'
            ? [() => tryWasm(threads, kernels)]
            : [tryCpu];
  for (const attempt of order) {
    const result = await attempt();
    if (!result.ok) {
      note(`skipped ${result.provider}: ${result.reason}`);
      continue;
    }
    for (const line of result.notes) note(line);
    const info: RuntimeInfo = { backend: tf.getBackend(), requested, notes, provider: result.provider };
    if (result.threads !== undefined) info.threads = result.threads;
    if (result.kernels !== undefined) info.kernels = result.kernels;
    const threads =
      (info.threads === undefined ? '' : `, ${info.threads} thread(s)`) +
      (info.kernels === undefined ? '' : `, ${info.kernels} kernels`);
    const line = `backend ${info.backend} (requested ${requested}, from ${result.provider}${threads})`;
    notes.push(line);
    log(`runtime: ${line}`);
    return info;
  }
  throw new Error(`runtime: backend '${requested}' is not available: ${notes.join('; ')}`);
}

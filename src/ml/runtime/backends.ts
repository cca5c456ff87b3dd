/**
 * Backend candidates for {@link initRuntime}: each `try*` loads one provider and activates its backend,
 * or reports why it cannot, as a value (never throws for an absent or broken package).
 *
 * Owns: importing the optional native packages, initialising wasm (+ project kernels, threads) and cpu.
 * Does not own: the order of candidates or logging (src/ml/runtime/index.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from './kernels/register.js';
import { prepareThreadedWasm } from './wasm-threads.js';

/** Outcome of one candidate. */
export type Attempt =
  { ok: true; provider: string; notes: string[]; threads?: number } | { ok: false; provider: string; reason: string };

/** First line of an error's message, for one-line notes. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 200) ?? text;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Imports `@tensorflow/tfjs-node(-gpu)` (opt-in packages, not dependencies) for its side effect of
 * registering the `tensorflow` backend into the shared `@tensorflow/tfjs` instance.
 */
export async function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<Attempt> {
  const specifier: string = pkg; // a plain string: the packages are optional, so no static types.
  try {
    // xpipe-dynamic-import: optional packages outside package.json; not tracked (see docs on the package rule)
    await import(specifier);
  } catch (error) {
    const reason = isNotFound(error) ? 'not installed' : `native binding failed to load: ${firstLine(error)}`;
    return { ok: false, provider: pkg, reason };
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return {
      ok: false,
      provider: pkg,
      reason: `it registered its backend into another @tensorflow/tfjs-core copy; install ${pkg}@${tf.version_core} so npm dedupes it`,
    };
  }
  try {
    if (!(await tf.setBackend('tensorflow')))
      return { ok: false, provider: pkg, reason: 'backend failed to initialise' };
  } catch (error) {
    return { ok: false, provider: pkg, reason: `backend failed to initialise: ${firstLine(error)}` };
  }
  return { ok: true, provider: pkg, notes: [] };
}

/**
 * wasm backend (XNNPACK, SIMD when available) plus the project's training kernels.
 * @param threads XNNPACK threads; 1 = the stock single-threaded build, more = the threaded-simd build on
 *   Node worker_threads (see wasm-threads.ts).
 */
export async function tryWasm(threads = 1): Promise<Attempt> {
  const provider = '@tensorflow/tfjs-backend-wasm';
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { ok: false, provider, reason: isNotFound(error) ? 'not installed' : firstLine(error) };
  }
  wasm.setThreadsCount(threads);
  const undo = threads > 1 ? prepareThreadedWasm(threads) : () => undefined;
  try {
    if (!(await tf.setBackend('wasm'))) return { ok: false, provider, reason: 'backend failed to initialise' };
  } catch (error) {
    return { ok: false, provider, reason: `backend failed to initialise: ${firstLine(error)}` };
  } finally {
    undo();
  }
  if (threads > 1) unrefPthreads();
  const registered = registerWasmTrainingKernels();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const build =
    threads > 1
      ? `threaded-simd build on ${threads} worker threads (opt-in, see docs/runtime.md#using-both-cores)`
      : `${simd ? 'SIMD' : 'no SIMD'}, single thread`;
  const notes = [`wasm ${build}; project training kernels: ${registered.join(', ') || 'none new'}`];
  return { ok: true, provider, notes, threads: wasm.getThreadsCount() };
}

/**
 * Emscripten keeps a running pthread's worker referenced, so XNNPACK's persistent pool threads would keep
 * the process alive after the stage's work is done; they block in Atomics.wait, not on the event loop.
 */
function unrefPthreads(): void {
  const backend = tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[] } } };
  for (const worker of backend.wasm?.PThread?.runningWorkers ?? []) worker.unref?.();
}

/** The pure-JS backend: always available, far too slow to train real models. */
export async function tryCpu(): Promise<Attempt> {
  await tf.setBackend('cpu');
  return {
    ok: true,
    provider: '@tensorflow/tfjs-backend-cpu',
    notes: ['cpu backend is pure JS: fine for tests, too slow to train'],
  };
}

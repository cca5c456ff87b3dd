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
import { loadOnednn } from './onednn/addon.js';
import { registerOnednnKernels } from './onednn/kernels.js';
import type { KernelsRequest } from './index.js';

/** Outcome of one candidate. */
export type Attempt =
  | { ok: true; provider: string; notes: string[]; threads?: number; kernels?: 'onednn' | 'wasm' }
  | { ok: false; provider: string; reason: string };

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
 * wasm backend (XNNPACK, SIMD when available) plus the project's training kernels, and oneDNN's native
 * convolutions and matrix multiplies on the same heap when the addon is built and `kernels` allows it.
 * @param threads XNNPACK threads; 1 = the stock single-threaded build, more = the threaded-simd build on
 *   Node worker_threads (see wasm-threads.ts). oneDNN gets as many OpenMP threads.
 */
export async function tryWasm(threads = 1, kernels: KernelsRequest = 'auto'): Promise<Attempt> {
  const provider = '@tensorflow/tfjs-backend-wasm';
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { ok: false, provider, reason: isNotFound(error) ? 'not installed' : firstLine(error) };
  }
  const native = kernels === 'wasm' ? undefined : loadOnednn();
  if (native?.ok === false && kernels === 'onednn') {
    return { ok: false, provider, reason: `kernels 'onednn' requested, but the oneDNN addon is ${native.reason}` };
  }
  // With oneDNN the heavy kernels run natively on `threads` OpenMP threads; what stays in wasm is cheap
  // elementwise work, for which the threaded build's pool would only compete with OpenMP for the cores.
  const wasmThreads = native?.ok === true ? 1 : threads;
  wasm.setThreadsCount(wasmThreads);
  const undo = wasmThreads > 1 ? prepareThreadedWasm(wasmThreads) : () => undefined;
  try {
    if (!(await tf.setBackend('wasm'))) return { ok: false, provider, reason: 'backend failed to initialise' };
  } catch (error) {
    return { ok: false, provider, reason: `backend failed to initialise: ${firstLine(error)}` };
  } finally {
    undo();
  }
  if (wasmThreads > 1) unrefPthreads();
  const registered = registerWasmTrainingKernels();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const build =
    wasmThreads > 1
      ? `threaded-simd build on ${wasmThreads} worker threads (see docs/runtime.md#using-both-cores)`
      : `${simd ? 'SIMD' : 'no SIMD'}, single thread`;
  const notes = [`wasm ${build}; project training kernels: ${registered.join(', ') || 'none new'}`];
  if (native?.ok === true) {
    native.addon.setThreads(threads);
    const { version, isa } = native.addon.info();
    const names = registerOnednnKernels(native.addon);
    notes.push(`oneDNN ${version} (${isa}, ${threads} OpenMP thread(s)) runs ${names.join(', ')}`);
  } else if (native !== undefined) {
    notes.push(`oneDNN kernels not used: addon ${native.reason}`);
  }
  return { ok: true, provider, notes, threads, kernels: native?.ok === true ? 'onednn' : 'wasm' };
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

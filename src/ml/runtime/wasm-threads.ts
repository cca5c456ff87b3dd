/**
 * Multi-threaded wasm in Node: makes tfjs-backend-wasm load its `tfjs-backend-wasm-threaded-simd.wasm`
 * build (XNNPACK on a pthreadpool of Node worker_threads) instead of the single-threaded one.
 *
 * tfjs 4.22 disables threads under Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false there) because the
 * pthread workers are started from a `blob:` URL that Node's `Worker` cannot load, and it caps the pool at
 * `os.cpus().length / 2` threads (assuming hyper-threading). For the duration of backend initialisation
 * only, this module:
 *   1. sets `WASM_HAS_MULTITHREAD_SUPPORT` to true;
 *   2. replaces `worker_threads.Worker` with a subclass that starts a `blob:` worker from the package's
 *      own worker source (`wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`), whose `importScripts` of
 *      the main script is served by `require` of `wasm-out/tfjs-backend-wasm-threaded-simd.js`;
 *   3. reports `2 × threads` logical CPUs so the cap lets `threads` threads through.
 * Everything is restored by the returned function. Tied to @tensorflow/tfjs-backend-wasm 4.22.0 (pinned).
 *
 * Owns: these patches. Does not own: choosing the thread count (src/ml/runtime/backends.ts).
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import workerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

type WorkerCtor = typeof workerThreads.Worker;

/** Prepares the threaded build; call before `tf.setBackend('wasm')`, and the returned undo right after. */
export function prepareThreadedWasm(threads: number): () => void {
  const require = createRequire(import.meta.url);
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const factoryPath = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The worker source is a template literal whose "\n" escapes became real newlines; tfjs re-escapes too.
  const source = `${wasmWorkerContents.replace(/\n/g, '\\n')}
;(function () {
  var original = global.importScripts;
  global.importScripts = function (f) {
    if (String(f).startsWith('blob:')) { global.WasmBackendModuleThreadedSimd = require(${JSON.stringify(factoryPath)}); return; }
    return original(f);
  };
})();`;
  const Original: WorkerCtor = workerThreads.Worker;
  class BlobWorker extends Original {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      if (String(filename).startsWith('blob:')) super(source, { ...options, eval: true });
      else super(filename, options);
    }
  }
  const cpus = os.cpus;
  (workerThreads as { Worker: WorkerCtor }).Worker = BlobWorker;
  (os as { cpus: typeof os.cpus }).cpus = () => {
    const real = cpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]);
  };
  // Stays set: it is true from now on (the backend reads it once, at initialisation).
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  return () => {
    (workerThreads as { Worker: WorkerCtor }).Worker = Original;
    (os as { cpus: typeof os.cpus }).cpus = cpus;
  };
}

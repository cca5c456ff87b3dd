/**
 * `runtime.threads: auto`: the wasm thread count for this machine.
 *
 * Measured (bench/train-throughput.ts, bench/results/runtime.md): on 2 cores the threaded build with 2
 * threads trains and infers both ChestNetS and ResNet-18 faster than 1 thread whenever a core is idle, and
 * costs little when none is. Weights are bit-identical for 1 and 2 threads (XNNPACK and the project's
 * kernels split work by output element, never a sum; tests/ml/models/training-threads.test.ts), so the
 * choice changes speed, not results. Safe means: the threaded build is started through patches tied to
 * the pinned tfjs-backend-wasm version (wasm-threads.ts), so any other version gets 1 thread; and no more
 * threads than cores. Above {@link MAX_AUTO_THREADS} cores nothing has been measured, so auto stops there.
 *
 * Owns: this rule. Does not own: starting the threads (backends.ts, wasm-threads.ts).
 */
import { createRequire } from 'node:module';
import os from 'node:os';

/** The tfjs-backend-wasm version whose threaded build wasm-threads.ts knows how to start. */
export const THREADED_WASM_VERSION = '4.22.0';
/** Largest count auto picks (more cores were not available to measure). */
export const MAX_AUTO_THREADS = 4;

export interface AutoThreads {
  threads: number;
  reason: string;
}

function wasmVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require('@tensorflow/tfjs-backend-wasm/package.json') as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** The thread count `auto` resolves to, and why (for the log). Pure given its arguments. */
export function autoThreads(cores: number = os.availableParallelism(), version = wasmVersion()): AutoThreads {
  if (version !== THREADED_WASM_VERSION) {
    return {
      threads: 1,
      reason: `tfjs-backend-wasm ${version ?? 'absent'} is not ${THREADED_WASM_VERSION}, the version the threaded start is tied to`,
    };
  }
  if (cores < 2) return { threads: 1, reason: '1 core' };
  const threads = Math.min(cores, MAX_AUTO_THREADS);
  return { threads, reason: `${cores} cores${cores > MAX_AUTO_THREADS ? `, capped at ${MAX_AUTO_THREADS}` : ''}` };
}

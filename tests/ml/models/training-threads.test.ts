// Determinism with threads. Each run is a child process (a process initialises its backend once).
// - wasm's own kernels: the threaded build (2 threads) gives the same weights on every run AND the same
//   weights as 1 thread (XNNPACK and the project's JS kernels split work by output element, never a sum).
// - oneDNN kernels: the same thread count gives the same weights on every run. oneDNN's convolution
//   gradients split their reductions by thread, so 1 and 2 threads differ in the last bits, as in PyTorch.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadOnednn } from '../../../src/ml/runtime/onednn/addon.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/train-digest.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

async function digests(threads: number, kernels: 'wasm' | 'onednn'): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: { ...process.env, XPIPE_TF_BACKEND: 'wasm', XPIPE_WASM_THREADS: String(threads), XPIPE_KERNELS: kernels },
    timeout: 240_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
}

function weights(digest: Record<string, string>): Record<string, string> {
  const { threads: _t, kernels: _k, ...rest } = digest;
  return rest;
}

describe('determinism with threads', () => {
  it(
    'wasm kernels, 2 threads: identical weights on two runs, and identical to 1 thread',
    { timeout: 600_000 },
    async () => {
      const a = await digests(2, 'wasm');
      const b = await digests(2, 'wasm');
      const single = await digests(1, 'wasm');
      expect([a.threads, a.kernels, single.threads]).toEqual(['2', 'wasm', '1']);
      expect(weights(b)).toEqual(weights(a));
      expect(weights(single)).toEqual(weights(a));
    },
  );

  const native = loadOnednn();
  // Skipped only where the addon is not built (no compiler or libdnnl-dev); CI builds it (.ci/run --require).
  it.skipIf(!native.ok)(
    'oneDNN kernels: the same thread count gives identical weights on every run',
    { timeout: 600_000 },
    async () => {
      for (const threads of [1, 2]) {
        const a = await digests(threads, 'onednn');
        const b = await digests(threads, 'onednn');
        expect([a.threads, a.kernels]).toEqual([String(threads), 'onednn']);
        expect(weights(b)).toEqual(weights(a));
      }
      const wasm = await digests(2, 'wasm');
      // the native kernels really ran: their rounding differs from XNNPACK's
      expect(weights(await digests(2, 'onednn'))).not.toEqual(weights(wasm));
    },
  );
});

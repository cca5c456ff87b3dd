// Determinism across thread counts: training with the threaded wasm build (2 threads) gives the same
// weights on every run AND the same weights as 1 thread, so `runtime.threads: auto` changes speed, never
// the model file. Each run is a child process (a process initialises its backend once).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/train-digest.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

async function digests(threads: number): Promise<Record<string, string>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture], {
    cwd: root,
    env: { ...process.env, XPIPE_TF_BACKEND: 'wasm', XPIPE_WASM_THREADS: String(threads) },
    timeout: 240_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
}

describe('determinism with threads', () => {
  it('2 threads: identical weights on two runs, and identical to 1 thread', { timeout: 600_000 }, async () => {
    const a = await digests(2);
    const b = await digests(2);
    const single = await digests(1);
    expect(a.threads).toBe('2');
    expect(single.threads).toBe('1');
    const { threads: _a, ...weightsA } = a;
    const { threads: _b, ...weightsB } = b;
    const { threads: _s, ...weightsSingle } = single;
    expect(weightsB).toEqual(weightsA);
    expect(weightsSingle).toEqual(weightsA);
  });
});

// The worker pool on real worker threads: chunked dispatch keeps results in task order (or hands each to
// onResult exactly once), and buffers named by the task module's `transferables` arrive intact.
import { describe, expect, it } from 'vitest';
import { chunkSize, runPool } from '../../../src/ml/data/worker-pool.js';
import type { EchoResult } from './pool-echo-task.js';

const task = new URL('./pool-echo-task.ts', import.meta.url);
const tasks = Array.from({ length: 203 }, (_, i) => i);
const check = (n: number, r: EchoResult): void => {
  expect(r.square).toBe(n * n);
  expect(r.bytes.length).toBe(n);
  expect(r.bytes.every((b) => b === n % 256)).toBe(true);
  expect(r.onWorker).toBe(true);
};

describe('runPool on 2 worker threads', () => {
  it('returns every result in task order', async () => {
    const results = await runPool<number, EchoResult>(task, tasks, { threads: 2 });
    expect(results).toHaveLength(tasks.length);
    tasks.forEach((n) => check(n, results[n]));
  });

  it('hands each result to onResult once, under its own index', async () => {
    const seen = new Map<number, EchoResult>();
    const done: number[] = [];
    await runPool<number, EchoResult>(task, tasks, {
      threads: 2,
      onResult: (i, r) => void seen.set(i, r as EchoResult),
      onDone: (i) => void done.push(i),
    });
    expect(seen.size).toBe(tasks.length);
    seen.forEach((r, i) => check(i, r));
    expect([...done].sort((a, b) => a - b)).toEqual(tasks);
  });

  it('sends up to 16 tasks a message, but at least 8 messages per worker', () => {
    expect(chunkSize(2000, 2)).toBe(16);
    expect(chunkSize(203, 2)).toBe(12);
    expect(chunkSize(20, 2)).toBe(1);
  });
});

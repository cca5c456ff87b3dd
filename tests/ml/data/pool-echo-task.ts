// Test task module for worker-pool.test.ts: answers task n with n·n and a buffer of n bytes of value n % 256,
// which it hands over through `transferables` (the pool then moves it instead of copying).
import { isMainThread } from 'node:worker_threads';

export interface EchoResult {
  square: number;
  bytes: Uint8Array;
  /** Whether a worker thread ran it (the pool falls back to the calling thread when workers fail). */
  onWorker: boolean;
}

export async function handle(n: number): Promise<EchoResult> {
  return { square: n * n, bytes: new Uint8Array(n).fill(n % 256), onWorker: !isMainThread };
}

export function transferables(r: EchoResult): ArrayBuffer[] {
  return [r.bytes.buffer as ArrayBuffer];
}

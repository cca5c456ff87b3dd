/**
 * Entry of a worker thread started by `runPool`: imports the task module named in `workerData`, then
 * answers each `{ ids, tasks }` message (a chunk of tasks, run one after the other) with `{ ids, results }`
 * or, if a task throws, `{ ids, error }`. Owns nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface TaskModule {
  handle(task: unknown): Promise<unknown>;
  /** Buffers a result owns outright, moved to the caller instead of copied. */
  transferables?(result: unknown): ArrayBuffer[];
}

const port = parentPort;
if (port) {
  const { moduleUrl } = workerData as { moduleUrl: string };
  // xpipe-dynamic-import: the task module named by the pool; pipeline.yaml declares each one in deps:
  const mod = (await import(moduleUrl)) as TaskModule;
  const run = async (tasks: unknown[]): Promise<unknown[]> => {
    const results: unknown[] = [];
    for (const task of tasks) results.push(await mod.handle(task));
    return results;
  };
  port.on('message', (msg: { ids: number[]; tasks: unknown[] }) => {
    run(msg.tasks).then(
      (results) => {
        const transfer = new Set<ArrayBuffer>();
        for (const r of results) {
          if (r instanceof Uint8Array && r.byteLength === r.buffer.byteLength) transfer.add(r.buffer as ArrayBuffer);
          for (const b of mod.transferables?.(r) ?? []) transfer.add(b);
        }
        port.postMessage({ ids: msg.ids, results }, [...transfer]);
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ ids: msg.ids, error: { name: err.name, message: err.message, stack: err.stack } });
      },
    );
  });
  port.postMessage('ready');
}

/**
 * Entry of a worker thread started by `runPool`: imports the task module named in `workerData`, then
 * answers each `{ id, task }` message with `{ id, result }` or `{ id, error }`. Owns nothing else.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface TaskModule {
  handle(task: unknown): Promise<unknown>;
}

const port = parentPort;
if (port) {
  const { moduleUrl } = workerData as { moduleUrl: string };
  // xpipe-dynamic-import: the task module named by the pool; pipeline.yaml declares each one in deps:
  const mod = (await import(moduleUrl)) as TaskModule;
  port.on('message', (msg: { id: number; task: unknown }) => {
    mod.handle(msg.task).then(
      (result) => {
        const transfer = result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : [];
        port.postMessage({ id: msg.id, result }, transfer);
      },
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        port.postMessage({ id: msg.id, error: { name: err.name, message: err.message, stack: err.stack } });
      },
    );
  });
  port.postMessage('ready');
}

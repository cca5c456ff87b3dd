/**
 * Runs CPU-heavy tasks on worker threads (both cores), falling back to the calling thread when workers
 * cannot start (e.g. a runtime without a TypeScript loader for workers).
 *
 * Owns: dispatch of tasks to `threads` workers in small in-order chunks (one message per chunk each way:
 * a round trip per task left workers idle ~30% of the time on small images), results returned in task
 * order; propagation of a task's `InputError` with its message. Does not own: what a task does:
 * `moduleUrl` names a module exporting `handle(task): Promise<result>` and, optionally,
 * `transferables(result): ArrayBuffer[]` naming buffers the result owns, moved to the caller uncopied.
 *
 * Workers of a `.ts` module register tsx inside the worker before importing it, because Node 20 does not
 * pass `--import tsx` loaders on to worker threads.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../params/index.js';

export interface PoolOptions {
  /** Worker threads; 0 or 1 runs the tasks on the calling thread. Default: available cores (1 for small jobs). */
  threads?: number;
  signal?: AbortSignal;
  /** Called after each finished task, e.g. to tick progress. */
  onDone?: (index: number) => void;
  /**
   * Receives each result as it arrives (in completion order, not task order). With it, results are not
   * kept and `runPool` resolves with an empty array, so memory does not grow with the number of tasks.
   */
  onResult?: (index: number, result: unknown) => void | Promise<void>;
}

interface TaskModule<T, R> {
  handle(task: T): Promise<R>;
}

interface WorkerReply {
  ids: number[];
  results?: unknown[];
  error?: { name: string; message: string; stack?: string };
}

/** Below this many tasks and without an explicit thread count, tasks run on the calling thread. */
export const SMALL_JOB = 24;

/**
 * Tasks per message: up to 16, but at least ~8 chunks per worker so the last chunks still spread over
 * every worker (and results keep arriving in order, which the streaming callers' memory bound relies on).
 */
export function chunkSize(tasks: number, threads: number): number {
  return Math.max(1, Math.min(16, Math.floor(tasks / (threads * 8))));
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 8));
}

function bootstrapCode(moduleUrl: URL): string {
  const entry = new URL('./pool-worker' + (moduleUrl.pathname.endsWith('.ts') ? '.ts' : '.js'), import.meta.url);
  if (!moduleUrl.pathname.endsWith('.ts')) return `import(${JSON.stringify(entry.href)})`;
  const req = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(req.resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs'));
  return `import(${JSON.stringify(tsxApi.href)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
}

function toError(error: NonNullable<WorkerReply['error']>): Error {
  if (error.name === 'InputError') return new InputError(error.message);
  const e = new Error(error.message);
  if (error.stack) e.stack = error.stack;
  return e;
}

async function runInline<T, R>(
  moduleUrl: URL,
  tasks: readonly T[],
  next: () => number,
  results: R[],
  opts: PoolOptions,
): Promise<void> {
  // xpipe-dynamic-import: the caller's task module; pipeline.yaml declares each one in deps:
  const mod = (await import(moduleUrl.href)) as TaskModule<T, R>;
  for (let i = next(); i < tasks.length; i = next()) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const result = await mod.handle(tasks[i]);
    if (opts.onResult) await opts.onResult(i, result);
    else results[i] = result;
    opts.onDone?.(i);
  }
}

/**
 * Runs `handle(task)` of `moduleUrl` for every task; resolves with the results in task order (or, with
 * `onResult`, hands each to it and resolves with an empty array).
 */
export async function runPool<T, R>(moduleUrl: URL, tasks: readonly T[], opts: PoolOptions = {}): Promise<R[]> {
  const results = new Array<R>(tasks.length);
  let cursor = 0;
  const next = (): number => cursor++;
  // Starting a worker (and its TypeScript loader) costs more than a few small tasks: stay inline then.
  const threads = Math.min(opts.threads ?? (tasks.length < SMALL_JOB ? 1 : defaultThreads()), tasks.length);
  if (threads <= 1) {
    await runInline(moduleUrl, tasks, next, results, opts);
    return results;
  }
  const code = bootstrapCode(moduleUrl);
  const chunk = chunkSize(tasks.length, threads);
  const lanes: Promise<void>[] = [];
  for (let w = 0; w < threads; w++) {
    lanes.push(
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { moduleUrl: moduleUrl.href } });
        let current: number[] = [];
        let finished = false;
        const finish = (error?: Error): void => {
          if (finished) return;
          finished = true;
          void worker.terminate();
          if (error) reject(error);
          else resolve();
        };
        const dispatch = (): void => {
          if (opts.signal?.aborted) return finish(new Error('cancelled'));
          current = [];
          for (let i = next(); i < tasks.length; i = next()) {
            current.push(i);
            if (current.length === chunk) break;
          }
          if (current.length === 0) return finish();
          worker.postMessage({ ids: current, tasks: current.map((i) => tasks[i]) });
        };
        const deliver = async (msg: WorkerReply): Promise<void> => {
          const replies = msg.results ?? [];
          for (const [k, id] of msg.ids.entries()) {
            if (opts.onResult) await opts.onResult(id, replies[k]);
            else results[id] = replies[k] as R;
            opts.onDone?.(id);
          }
        };
        worker.on('message', (msg: WorkerReply | 'ready') => {
          if (msg === 'ready') return dispatch();
          if (msg.error) return finish(toError(msg.error));
          deliver(msg).then(dispatch, (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))));
        });
        worker.on('error', (err) => {
          // The worker could not run (start-up failure or crash): finish its share on this thread.
          if (finished) return;
          finished = true;
          const again = current.filter((i) => i < tasks.length).reverse();
          void worker.terminate();
          const nextInline = (): number => (again.length > 0 ? (again.pop() as number) : next());
          runInline(moduleUrl, tasks, nextInline, results, opts).then(resolve, (e: unknown) =>
            reject(e instanceof Error ? e : new Error(`${String(e)} (after worker error: ${err.message})`)),
          );
        });
      }),
    );
  }
  await Promise.all(lanes);
  return results;
}

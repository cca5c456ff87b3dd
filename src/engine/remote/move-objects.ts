/**
 * Moves objects between two ObjectStores, `jobs` at a time (p-queue), counting bytes for a progress line
 * (files, bytes, MB/s, ETA). With `verify`, the destination hashes what it receives and rejects bytes that
 * do not match the id (ObjectMismatchError): such an object is reported as corrupt and never stored. An
 * id the source lacks is reported as absent. Any other error stops the transfer (nothing new starts,
 * running copies finish or fail) and is thrown as a RemoteFailureError.
 * Owns: parallelism, per-object outcomes, progress. Does not own: deciding what to move (transfer.ts).
 */
import { Transform } from 'node:stream';
import PQueue from 'p-queue';
import { ObjectMismatchError, type ObjectId, type ObjectStore } from '../cache/object-store.js';
import type { RemoteConfig } from '../config/project-config.js';
import { classifyError } from './errors.js';

/** A live sample of a transfer. */
export interface TransferProgress {
  direction: 'push' | 'fetch';
  doneObjects: number;
  totalObjects: number;
  doneBytes: number;
  /** Expected bytes (sizes from pipeline.lock and manifests; manifests themselves count 0). */
  totalBytes: number;
  elapsedMs: number;
}

export interface MoveOptions {
  direction: 'push' | 'fetch';
  jobs: number;
  verify: boolean;
  /** Expected size per id, for totals. */
  sizes: ReadonlyMap<ObjectId, number>;
  /** The remote involved (for error messages). */
  remote: RemoteConfig;
  onProgress?: ((p: TransferProgress) => void) | undefined;
  /** Shared across the calls of one operation so the totals and rate span all of them. */
  meter?: Meter;
}

export interface MoveResult {
  moved: Set<ObjectId>;
  absent: Set<ObjectId>;
  /** id → what the received bytes hashed to. */
  corrupt: Map<ObjectId, string>;
  bytes: number;
}

const PROGRESS_MS = 100;

/** Progress accounting for one operation (which may move objects in several rounds). */
export class Meter {
  readonly started = Date.now();
  doneObjects = 0;
  totalObjects = 0;
  doneBytes = 0;
  totalBytes = 0;
  private last = 0;

  constructor(
    private readonly direction: 'push' | 'fetch',
    private readonly onProgress?: (p: TransferProgress) => void,
  ) {}

  report(force = false): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_MS) return;
    this.last = now;
    this.onProgress({
      direction: this.direction,
      doneObjects: this.doneObjects,
      totalObjects: this.totalObjects,
      doneBytes: this.doneBytes,
      totalBytes: this.totalBytes,
      elapsedMs: now - this.started,
    });
  }
}

export async function moveObjects(
  from: ObjectStore,
  to: ObjectStore,
  ids: readonly ObjectId[],
  opts: MoveOptions,
): Promise<MoveResult> {
  const result: MoveResult = { moved: new Set(), absent: new Set(), corrupt: new Map(), bytes: 0 };
  if (ids.length === 0) return result;
  const meter = opts.meter ?? new Meter(opts.direction, opts.onProgress);
  meter.totalObjects += ids.length;
  for (const id of ids) meter.totalBytes += opts.sizes.get(id) ?? 0;
  const queue = new PQueue({ concurrency: Math.max(1, opts.jobs) });
  let fatal: unknown;
  const one = async (id: ObjectId): Promise<void> => {
    if (fatal !== undefined) return;
    try {
      const source = await from.get(id);
      if (!source) {
        result.absent.add(id);
        return;
      }
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          meter.doneBytes += chunk.length;
          result.bytes += chunk.length;
          meter.report();
          cb(null, chunk);
        },
      });
      source.on('error', (e) => tap.destroy(e));
      // A destination that already holds the id destroys what it was given: release the source too.
      tap.on('close', () => source.destroy());
      await to.put(id, source.pipe(tap), { verify: opts.verify });
      result.moved.add(id);
    } catch (e) {
      if (e instanceof ObjectMismatchError) result.corrupt.set(id, e.actual);
      else {
        fatal ??= e;
        queue.clear();
      }
    } finally {
      meter.doneObjects++;
      meter.report();
    }
  };
  for (const id of ids) void queue.add(() => one(id));
  await queue.onIdle();
  meter.report(true);
  if (fatal !== undefined) throw classifyError(fatal, opts.remote, opts.direction === 'fetch');
  return result;
}

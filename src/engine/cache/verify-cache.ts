/**
 * `cache verify`: hash every object of the local store (ignoring the vouch index), quarantine the corrupt
 * ones in `cache/.corrupt/`, and report them with the unreadable ones. Objects are checked `jobs` at a
 * time (reads overlap with hashing). Owns: the sweep and its progress. Does not own: the per-object check.
 */
import type { ObjectId } from './object-store.js';
import type { LocalObjectStore } from './local-object-store.js';
import { checkObject } from './verify-object.js';

export interface VerifyProgress {
  doneObjects: number;
  totalObjects: number;
  doneBytes: number;
  totalBytes: number;
  elapsedMs: number;
}

export interface VerifyCacheOptions {
  /** Objects checked concurrently (default 4). */
  jobs?: number;
  onProgress?: (p: VerifyProgress) => void;
}

export interface VerifyReport {
  objects: number;
  bytes: number;
  durationMs: number;
  /** Objects whose bytes did not match their id; each was moved to `movedTo`. Paths absolute. */
  corrupt: { id: ObjectId; path: string; actual: string; movedTo: string }[];
  unreadable: { id: ObjectId; path: string; error: string }[];
}

export async function verifyStore(store: LocalObjectStore, opts: VerifyCacheOptions = {}): Promise<VerifyReport> {
  const started = Date.now();
  const ids: { id: ObjectId; size: number }[] = [];
  for await (const id of store.list()) ids.push({ id, size: (await store.stat(id))?.size ?? 0 });
  const report: VerifyReport = { objects: ids.length, bytes: 0, durationMs: 0, corrupt: [], unreadable: [] };
  const totalBytes = ids.reduce((n, x) => n + x.size, 0);
  let doneObjects = 0;
  const progress = () =>
    opts.onProgress?.({
      doneObjects,
      totalObjects: ids.length,
      doneBytes: report.bytes,
      totalBytes,
      elapsedMs: Date.now() - started,
    });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const { id } = ids[next++] as { id: ObjectId };
      const path = store.objectPath(id);
      const r = await checkObject(store, id, {
        trustIndex: false,
        onBytes: (n) => {
          report.bytes += n;
          progress();
        },
      });
      if (r.status === 'corrupt') report.corrupt.push({ id, path, actual: r.actual, movedTo: r.movedTo });
      else if (r.status === 'unreadable') report.unreadable.push({ id, path, error: r.error });
      doneObjects++;
      progress();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 4) }, worker));
  store.save();
  report.corrupt.sort((a, b) => (a.id < b.id ? -1 : 1));
  report.unreadable.sort((a, b) => (a.id < b.id ? -1 : 1));
  report.durationMs = Date.now() - started;
  return report;
}

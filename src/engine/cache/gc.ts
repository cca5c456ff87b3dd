/**
 * `gc`: prune the run cache (keep the newest N runs per stage, default all) and remove every object
 * referenced neither by a root lock (pipeline.lock and every stored experiment's lock, so `exp apply`
 * still works after `--keep-runs`) nor by a kept run-cache entry. DVC never prunes its run cache; we do.
 * Works through the ObjectStore interface (plus manifest reads), so the same rules can later prune a remote.
 * Owns: liveness. Does not own: object layout (local-object-store.ts) or entry records (run-cache.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContentHash } from '../model/brands.js';
import type { LockFile } from '../lock/lockfile.js';
import type { LocalObjectStore } from './local-object-store.js';
import type { RunCache, RunEntry } from './run-cache.js';

export interface GcOptions {
  /** Runs to keep per stage (newest first); undefined keeps all. */
  keepRuns?: number;
  /** List what would be removed without removing it. */
  dry?: boolean;
}

export interface GcReport {
  removedObjects: number;
  freedBytes: number;
  removedRuns: { stage: string; key: string }[];
  keptObjects: number;
}

export async function collectGarbage(
  locks: readonly LockFile[],
  store: LocalObjectStore,
  runs: RunCache,
  opts: GcOptions = {},
): Promise<GcReport> {
  const report: GcReport = { removedObjects: 0, freedBytes: 0, removedRuns: [], keptObjects: 0 };
  const live = new Set<string>();
  const mark = async (hash: string) => {
    if (live.has(hash)) return;
    live.add(hash);
    if (hash.endsWith('.dir')) for (const e of (await store.readManifest(hash as ContentHash)) ?? []) live.add(e.h);
  };
  for (const lock of locks)
    for (const entry of Object.values(lock.stages)) for (const o of entry.outs) await mark(o.hash);
  for (const [stage, entries] of await runs.all()) {
    for (const [i, e] of entries.entries() as IterableIterator<[number, RunEntry]>) {
      if (opts.keepRuns !== undefined && i >= opts.keepRuns) {
        report.removedRuns.push({ stage, key: e.key });
        if (!opts.dry) await runs.remove(stage, e.key);
      } else for (const o of e.outs) await mark(o.hash);
    }
  }
  for await (const hash of store.list()) {
    if (live.has(hash)) {
      report.keptObjects++;
      continue;
    }
    report.removedObjects++;
    report.freedBytes += (await store.stat(hash))?.size ?? 0;
    if (!opts.dry) await store.delete(hash);
  }
  if (!opts.dry) fs.rmSync(path.join(store.dir, 'tmp'), { recursive: true, force: true });
  return report;
}

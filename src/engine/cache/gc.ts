/**
 * `gc`: prune the run cache (keep the newest N runs per stage, default all) and remove every object
 * referenced neither by a root lock (pipeline.lock and every stored experiment's lock, so `exp apply`
 * still works after `--keep-runs`) nor by a kept run-cache entry. DVC never prunes its run cache; we do.
 * Owns: liveness. Does not own: object layout (object-store.ts) or entry files (run-cache.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContentHash } from '../model/brands.js';
import type { LockFile } from '../lock/lockfile.js';
import type { ObjectStore } from './object-store.js';
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

export function collectGarbage(locks: readonly LockFile[], store: ObjectStore, runs: RunCache, opts: GcOptions = {}): GcReport {
  const report: GcReport = { removedObjects: 0, freedBytes: 0, removedRuns: [], keptObjects: 0 };
  const live = new Set<string>();
  const mark = (hash: string) => {
    if (live.has(hash)) return;
    live.add(hash);
    if (hash.endsWith('.dir')) for (const e of store.readManifest(hash as ContentHash) ?? []) live.add(e.h);
  };
  for (const lock of locks) for (const entry of Object.values(lock.stages)) for (const o of entry.outs) mark(o.hash);
  for (const [stage, entries] of runs.all()) {
    entries.forEach((e: RunEntry, i) => {
      if (opts.keepRuns !== undefined && i >= opts.keepRuns) {
        report.removedRuns.push({ stage, key: e.key });
        if (!opts.dry) runs.remove(stage, e.key);
      } else e.outs.forEach((o) => mark(o.hash));
    });
  }
  for (const hash of store.list()) {
    if (live.has(hash)) {
      report.keptObjects++;
      continue;
    }
    report.removedObjects++;
    report.freedBytes += store.sizeOf(hash);
    if (!opts.dry) store.remove(hash);
  }
  if (!opts.dry) fs.rmSync(path.join(store.dir, 'tmp'), { recursive: true, force: true });
  return report;
}

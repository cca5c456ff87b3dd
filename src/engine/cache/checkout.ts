/**
 * `checkout`: make every out recorded in pipeline.lock match the lock, restoring from the cache.
 * Owns: deciding per out whether to restore. Does not own: the object store or the lock format.
 */
import type { ContentHash } from '../model/brands.js';
import type { LockFile } from '../lock/lockfile.js';
import type { PathHasher } from '../hash/hash-path.js';
import type { ObjectStore } from './object-store.js';
import path from 'node:path';

export interface CheckoutReport {
  restored: string[];
  unchanged: string[];
  /** Recorded in the lock but absent from the cache: cannot be restored (run `xpipe repro`). */
  notInCache: string[];
}

export function checkoutOuts(root: string, lock: LockFile, stages: readonly string[] | undefined, store: ObjectStore, hasher: PathHasher): CheckoutReport {
  const report: CheckoutReport = { restored: [], unchanged: [], notInCache: [] };
  const names = stages ?? Object.keys(lock.stages).sort();
  for (const name of names) {
    for (const out of lock.stages[name]?.outs ?? []) {
      const current = hasher.hash(out.path)?.hash;
      if (current === out.hash) {
        report.unchanged.push(out.path);
        continue;
      }
      if (!store.hasComplete(out.hash as ContentHash)) {
        report.notInCache.push(out.path);
        continue;
      }
      store.checkout(out.hash, path.join(root, out.path));
      hasher.invalidate(out.path);
      report.restored.push(out.path);
    }
  }
  return report;
}

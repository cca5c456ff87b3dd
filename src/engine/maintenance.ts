/**
 * The programmatic `checkout` and `gc`, each under the project mutex.
 */
import { err, ok, type Result } from './model/result.js';
import type { ReproError } from './repro.js';
import { findProjectRoot } from './config/load-spec.js';
import { readLock } from './lock/lockfile.js';
import { resolveTargets } from './graph/select-targets.js';
import { acquireProjectMutex } from './project-mutex.js';
import { openWorkspace } from './workspace.js';
import { checkoutOuts, type CheckoutReport } from './cache/checkout.js';
import { listExps } from './exp/exp-store.js';
import { collectGarbage, type GcOptions, type GcReport } from './cache/gc.js';
import { ObjectStore } from './cache/object-store.js';
import { RunCache } from './cache/run-cache.js';
import type { EventSink } from './model/events.js';

export interface MaintenanceOptions {
  root?: string;
  cwd?: string;
  wait?: boolean;
  onEvent?: EventSink;
}

async function withProject<T>(opts: MaintenanceOptions, fn: (root: string) => Result<T, ReproError>): Promise<Result<T, ReproError>> {
  const root = opts.root !== undefined ? ok(opts.root) : findProjectRoot(opts.cwd ?? process.cwd());
  if (!root.ok) return err({ kind: 'diagnostics', diagnostics: [root.error] });
  const m = await acquireProjectMutex(root.value, { wait: opts.wait ?? true, onWait: (pid) => opts.onEvent?.({ type: 'info', reason: 'waiting-for-lock', pid }) });
  if (!m.ok) return err({ kind: 'busy', pid: m.heldBy });
  try {
    return fn(root.value);
  } finally {
    m.mutex.release();
  }
}

/** Restores the outs recorded in pipeline.lock (of `targets`, default all) from the cache. */
export function checkout(opts: MaintenanceOptions & { targets?: string[] } = {}): Promise<Result<CheckoutReport, ReproError>> {
  return withProject(opts, (root) => {
    const ws = openWorkspace(root, { allowMissingDeps: true });
    if (!ws.ok) return err({ kind: 'diagnostics', diagnostics: ws.error });
    const t = resolveTargets(ws.value.graph, opts.targets ?? []);
    if (!t.ok) return err({ kind: 'diagnostics', diagnostics: [t.error] });
    const report = checkoutOuts(root, ws.value.lock, t.value.length > 0 ? t.value : undefined, ws.value.store, ws.value.hasher);
    ws.value.hasher.save();
    return ok(report);
  });
}

/** Removes unreferenced cache objects and prunes the run cache. */
export function gc(opts: MaintenanceOptions & GcOptions = {}): Promise<Result<GcReport, ReproError>> {
  return withProject(opts, (root) => {
    const lock = readLock(root);
    if (!lock.ok) return err({ kind: 'diagnostics', diagnostics: [lock.error] });
    // Stored experiments are roots too: their outs stay restorable by `exp apply` whatever --keep-runs prunes.
    const expLocks = listExps(root).exps.map((e) => e.lock);
    return ok(collectGarbage([lock.value, ...expLocks], new ObjectStore(root), new RunCache(root), opts));
  });
}

/**
 * The programmatic `checkout`, `gc` and `cache verify`, each under the project mutex.
 */
import path from 'node:path';
import { err, ok, type Result } from './model/result.js';
import type { ReproError } from './repro.js';
import { findProjectRoot } from './config/load-spec.js';
import { readLock } from './lock/lockfile.js';
import { resolveTargets } from './graph/select-targets.js';
import { acquireProjectMutex } from './project-mutex.js';
import { openWorkspace } from './workspace.js';
import { checkoutOuts, corruptObjectEvent, type CheckoutReport } from './cache/checkout.js';
import { listExps } from './exp/exp-store.js';
import { collectGarbage, type GcOptions, type GcReport } from './cache/gc.js';
import { LocalObjectStore } from './cache/local-object-store.js';
import { RunCache } from './cache/run-cache.js';
import { verifyStore, type VerifyCacheOptions, type VerifyReport } from './cache/verify-cache.js';
import type { EventSink } from './model/events.js';

export interface MaintenanceOptions {
  root?: string;
  cwd?: string;
  wait?: boolean;
  onEvent?: EventSink;
}

async function withProject<T>(opts: MaintenanceOptions, fn: (root: string) => Promise<Result<T, ReproError>>): Promise<Result<T, ReproError>> {
  const root = opts.root !== undefined ? ok(opts.root) : findProjectRoot(opts.cwd ?? process.cwd());
  if (!root.ok) return err({ kind: 'diagnostics', diagnostics: [root.error] });
  const m = await acquireProjectMutex(root.value, { wait: opts.wait ?? true, onWait: (pid) => opts.onEvent?.({ type: 'info', reason: 'waiting-for-lock', pid }) });
  if (!m.ok) return err({ kind: 'busy', pid: m.heldBy });
  try {
    return await fn(root.value);
  } finally {
    m.mutex.release();
  }
}

/**
 * Restores the outs recorded in pipeline.lock (of `targets`, default all) from the cache, verifying
 * every object; a corrupt one is quarantined, reported as a `corrupt-object` event and in `report.corrupt`.
 */
export function checkout(opts: MaintenanceOptions & { targets?: string[] } = {}): Promise<Result<CheckoutReport, ReproError>> {
  return withProject(opts, async (root) => {
    const ws = openWorkspace(root, { allowMissingDeps: true });
    if (!ws.ok) return err({ kind: 'diagnostics', diagnostics: ws.error });
    const t = resolveTargets(ws.value.graph, opts.targets ?? []);
    if (!t.ok) return err({ kind: 'diagnostics', diagnostics: [t.error] });
    const report = await checkoutOuts(ws.value.lock, t.value.length > 0 ? t.value : undefined, ws.value.store, ws.value.hasher, root);
    for (const c of report.corrupt) for (const o of c.objects) opts.onEvent?.(corruptObjectEvent(root, c.stage, c.out, o, false));
    ws.value.hasher.save();
    const rel = (p: string) => path.relative(root, p);
    return ok({ ...report, corrupt: report.corrupt.map((c) => ({ ...c, objects: c.objects.map((o) => ({ ...o, path: rel(o.path), ...(o.movedTo ? { movedTo: rel(o.movedTo) } : {}) })) })) });
  });
}

/** Removes unreferenced cache objects and prunes the run cache. */
export function gc(opts: MaintenanceOptions & GcOptions = {}): Promise<Result<GcReport, ReproError>> {
  return withProject(opts, async (root) => {
    const lock = readLock(root);
    if (!lock.ok) return err({ kind: 'diagnostics', diagnostics: [lock.error] });
    // Stored experiments are roots too: their outs stay restorable by `exp apply` whatever --keep-runs prunes.
    const expLocks = listExps(root).exps.map((e) => e.lock);
    return ok(await collectGarbage([lock.value, ...expLocks], LocalObjectStore.forProject(root), RunCache.forProject(root), opts));
  });
}

/**
 * `cache verify`: hashes every object in the cache; corrupt ones are moved to cache/.corrupt/. Paths in
 * the report are relative to the project root.
 */
export function verifyCache(opts: MaintenanceOptions & VerifyCacheOptions = {}): Promise<Result<VerifyReport, ReproError>> {
  return withProject(opts, async (root) => {
    const r = await verifyStore(LocalObjectStore.forProject(root), opts);
    const rel = (p: string) => path.relative(root, p);
    return ok({
      ...r,
      corrupt: r.corrupt.map((c) => ({ ...c, path: rel(c.path), movedTo: rel(c.movedTo) })),
      unreadable: r.unreadable.map((u) => ({ ...u, path: rel(u.path) })),
    });
  });
}

/**
 * The programmatic `checkout`, `gc` and `cache verify` on an opened project, each under the project mutex.
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from './model/result.js';
import type { ReproError } from './repro.js';
import { resolveTargets } from './graph/select-targets.js';
import { acquireProjectMutex } from './project-mutex.js';
import { reloadLock, type Project } from './project.js';
import { SCRATCH_DIR } from './runner/scratch.js';
import { checkoutOuts, corruptObjectEvent, type CheckoutReport } from './cache/checkout.js';
import { listExps } from './exp/exp-store.js';
import { collectGarbage, type GcOptions, type GcReport } from './cache/gc.js';
import { verifyStore, type VerifyCacheOptions, type VerifyReport } from './cache/verify-cache.js';
import type { EventSink } from './model/events.js';

export interface MaintenanceOptions {
  wait?: boolean;
  onEvent?: EventSink;
}

async function withMutex<T>(
  project: Project,
  opts: MaintenanceOptions,
  fn: () => Promise<Result<T, ReproError>>,
): Promise<Result<T, ReproError>> {
  const m = await acquireProjectMutex(project.root, {
    wait: opts.wait ?? true,
    onWait: (pid) => opts.onEvent?.({ type: 'info', reason: 'waiting-for-lock', pid }),
  });
  if (!m.ok) return err({ kind: 'busy', pid: m.heldBy });
  try {
    const reloaded = reloadLock(project);
    if (!reloaded.ok) return err({ kind: 'diagnostics', diagnostics: reloaded.error });
    return await fn();
  } finally {
    m.mutex.release();
  }
}

/**
 * Restores the outs recorded in pipeline.lock (of `targets`, default all) from the cache, verifying
 * every object; a corrupt one is quarantined, reported as a `corrupt-object` event and in `report.corrupt`.
 */
export function checkout(
  project: Project,
  opts: MaintenanceOptions & { targets?: string[] } = {},
): Promise<Result<CheckoutReport, ReproError>> {
  return withMutex(project, opts, async () => {
    const root = project.root;
    const t = resolveTargets(project.graph, opts.targets ?? []);
    if (!t.ok) return err({ kind: 'diagnostics', diagnostics: [t.error] });
    const report = await checkoutOuts(
      project.lock,
      t.value.length > 0 ? t.value : undefined,
      project.store,
      project.hasher,
      root,
    );
    for (const c of report.corrupt)
      for (const o of c.objects) opts.onEvent?.(corruptObjectEvent(root, c.stage, c.out, o, false));
    project.hasher.save();
    const rel = (p: string) => path.relative(root, p);
    return ok({
      ...report,
      corrupt: report.corrupt.map((c) => ({
        ...c,
        objects: c.objects.map((o) => ({ ...o, path: rel(o.path), ...(o.movedTo ? { movedTo: rel(o.movedTo) } : {}) })),
      })),
    });
  });
}

export interface GcScratchOptions {
  /** Also delete the stages' scratch directories (`.xpipe/scratch/`: checkpoints, per-image caches). */
  scratch?: boolean;
}

export interface GcResult extends GcReport {
  /** Scratch directories removed (or that would be, with `dry`), project-relative. */
  removedScratch: string[];
}

/** Removes unreferenced cache objects and prunes the run cache; with `scratch`, clears scratch dirs. */
export function gc(
  project: Project,
  opts: MaintenanceOptions & GcOptions & GcScratchOptions = {},
): Promise<Result<GcResult, ReproError>> {
  return withMutex(project, opts, async () => {
    // Stored experiments are roots too: their outs stay restorable by `exp apply` whatever --keep-runs prunes.
    const expLocks = listExps(project.root).exps.map((e) => e.lock);
    const report = await collectGarbage([project.lock, ...expLocks], project.store, project.runCache, opts);
    const removedScratch = opts.scratch ? clearScratch(project.root, opts.dry ?? false) : [];
    return ok({ ...report, removedScratch });
  });
}

/**
 * `cache verify`: hashes every object in the cache; corrupt ones are moved to cache/.corrupt/. Paths in
 * the report are relative to the project root.
 */
export function verifyCache(
  project: Project,
  opts: MaintenanceOptions & VerifyCacheOptions = {},
): Promise<Result<VerifyReport, ReproError>> {
  return withMutex(project, opts, async () => {
    const r = await verifyStore(project.store, opts);
    const rel = (p: string) => path.relative(project.root, p);
    return ok({
      ...r,
      corrupt: r.corrupt.map((c) => ({ ...c, path: rel(c.path), movedTo: rel(c.movedTo) })),
      unreadable: r.unreadable.map((u) => ({ ...u, path: rel(u.path) })),
    });
  });
}

function clearScratch(root: string, dry: boolean): string[] {
  const dir = path.join(root, SCRATCH_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed = names.map((n) => path.join(SCRATCH_DIR, n).split(path.sep).join('/'));
  if (!dry) fs.rmSync(dir, { recursive: true, force: true });
  return removed;
}

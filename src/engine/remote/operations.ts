/**
 * `push`, `fetch` and `pull` on an opened project (DVC semantics): the objects of the outs pipeline.lock
 * records for the selected stages (default all), and with `runCache` the run-cache records of those stages
 * with their objects. A record is copied only once every object it names is at the destination
 * (transferRunCache). Pull is fetch + the verified checkout; an out the remote cannot deliver is reported
 * with its stage and everything else is still restored.
 * Owns: composing selection, transfer and checkout. Does not own: the transfer plan (transfer.ts).
 */
import path from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import type { Project } from '../project.js';
import { RunCache, transferRunCache } from '../cache/run-cache.js';
import { checkoutOuts, corruptObjectEvent, type CheckoutReport } from '../cache/checkout.js';
import { CompleteDirs } from './dir-memory.js';
import type { TransferProgress } from './move-objects.js';
import { fetchOuts, pushOuts, type TransferReport } from './transfer.js';
import {
  lockOuts,
  runCacheOuts,
  runsOf,
  selectLockStages,
  withRemote,
  type RemoteOpError,
  type RemoteSession,
  type RemoteSessionOptions,
} from './session.js';

export interface TransferCommandOptions extends RemoteSessionOptions {
  /** Stage names; empty = every stage in pipeline.lock. */
  targets?: string[];
  /** Parallel transfers; default: the remote's `jobs` setting, else the backend's default. */
  jobs?: number;
  /** Also transfer run-cache records (and their objects). */
  runCache?: boolean;
  onProgress?: (p: TransferProgress) => void;
}

export interface PullReport {
  fetch: TransferReport;
  checkout: CheckoutReport;
}

function jobsFor(s: RemoteSession, opts: TransferCommandOptions): number {
  return Math.max(1, opts.jobs ?? s.config.settings.jobs ?? s.stores.defaultJobs);
}

export async function push(
  project: Project,
  opts: TransferCommandOptions = {},
): Promise<Result<TransferReport, RemoteOpError>> {
  const r = await withRemote(project, { ...opts, create: true, mutex: true }, async (s) => {
    const stages = selectLockStages(project, opts.targets ?? []);
    if (!stages.ok) return stages;
    const only = (opts.targets ?? []).length > 0 ? new Set(stages.value) : undefined;
    const localRuns = runsOf(project.runCache.records, only);
    const outs = [...lockOuts(project, stages.value), ...(opts.runCache ? await runCacheOuts(localRuns) : [])];
    const memory = CompleteDirs.forRemote(project.root, s.url);
    const report = await pushOuts(project.store, s.stores, outs, memory, {
      remote: s.config,
      url: s.url,
      jobs: jobsFor(s, opts),
      onProgress: opts.onProgress,
    });
    if (opts.runCache) {
      const to = { runs: new RunCache(s.stores.kv), objects: s.stores.objects };
      report.runCache = await copyRuns(project, { runs: localRuns, objects: project.store }, to);
    }
    return ok(report);
  });
  return r.ok ? r.value : r;
}

async function fetchIn(
  project: Project,
  s: RemoteSession,
  opts: TransferCommandOptions,
): Promise<Result<TransferReport, RemoteOpError>> {
  const stages = selectLockStages(project, opts.targets ?? []);
  if (!stages.ok) return stages;
  const only = (opts.targets ?? []).length > 0 ? new Set(stages.value) : undefined;
  const remoteRuns = runsOf(s.stores.kv, only);
  const outs = [...lockOuts(project, stages.value), ...(opts.runCache ? await runCacheOuts(remoteRuns) : [])];
  const report = await fetchOuts(project.store, s.stores, outs, {
    remote: s.config,
    url: s.url,
    jobs: jobsFor(s, opts),
    onProgress: opts.onProgress,
  });
  if (opts.runCache) {
    const to = { runs: project.runCache, objects: project.store };
    report.runCache = await copyRuns(project, { runs: remoteRuns, objects: s.stores.objects }, to);
  }
  return ok(report);
}

/** Copies run-cache records between the two ends (directory closures come from the local cache). */
async function copyRuns(
  project: Project,
  from: Parameters<typeof transferRunCache>[0],
  to: Parameters<typeof transferRunCache>[1],
): Promise<{ copied: number; skipped: number }> {
  const t = await transferRunCache(from, to, (id) => project.store.closure(id));
  return { copied: t.copied.length, skipped: t.skippedIncomplete.length };
}

export async function fetch(
  project: Project,
  opts: TransferCommandOptions = {},
): Promise<Result<TransferReport, RemoteOpError>> {
  const r = await withRemote(project, { ...opts, create: false, mutex: true }, (s) => fetchIn(project, s, opts));
  return r.ok ? r.value : r;
}

/** fetch, then restore the selected outs from the cache (verified) into the workspace. */
export async function pull(
  project: Project,
  opts: TransferCommandOptions = {},
): Promise<Result<PullReport, RemoteOpError>> {
  const r = await withRemote(project, { ...opts, create: false, mutex: true }, async (s) => {
    const fetched = await fetchIn(project, s, opts);
    if (!fetched.ok) return fetched;
    const stages = selectLockStages(project, opts.targets ?? []);
    if (!stages.ok) return stages;
    const checkout = await checkoutOuts(project.lock, stages.value, project.store, project.hasher, project.root);
    for (const c of checkout.corrupt)
      for (const o of c.objects) opts.onEvent?.(corruptObjectEvent(project.root, c.stage, c.out, o, false));
    project.hasher.save();
    const rel = (p: string) => path.relative(project.root, p);
    const corrupt = checkout.corrupt.map((c) => ({
      ...c,
      objects: c.objects.map((o) => ({ ...o, path: rel(o.path), ...(o.movedTo ? { movedTo: rel(o.movedTo) } : {}) })),
    }));
    return ok({ fetch: fetched.value, checkout: { ...checkout, corrupt } });
  });
  return r.ok ? r.value : err(r.error);
}

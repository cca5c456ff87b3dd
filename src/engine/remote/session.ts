/**
 * Opening a remote for one operation on a project: resolve its name in the config, take the project
 * mutex (push/fetch/pull never overlap a repro or gc of the same project), reload pipeline.lock, open the
 * backend, and turn a RemoteFailureError into a Result. Also picks the outs an operation works on.
 * Owns: that boilerplate and out selection. Does not own: transfers (transfer.ts).
 */
import { err, ok, type Result } from '../model/result.js';
import type { EventSink } from '../model/events.js';
import type { ReproError } from '../repro.js';
import { reloadLock, type Project } from '../project.js';
import { acquireProjectMutex } from '../project-mutex.js';
import { resolveTargets } from '../graph/select-targets.js';
import { loadProjectConfig, resolveRemote, type RemoteConfig } from '../config/project-config.js';
import type { KeyValueStore } from '../cache/object-store.js';
import { RunCache } from '../cache/run-cache.js';
import { RemoteFailureError, type RemoteFailure } from './errors.js';
import { openRemote, type RemoteStores } from './registry.js';
import { describeRemoteUrl } from './remote-url.js';
import type { OutRef } from './transfer.js';

/** Why a remote operation did not complete: bad input, a busy project, or the remote failing. */
export type RemoteOpError = ReproError | { kind: 'remote'; failure: RemoteFailure };

export interface RemoteSessionOptions {
  /** Remote name (-r); default: core.remote. */
  remote?: string;
  /** Wait for another xpipe process in the project (default true). */
  wait?: boolean;
  onEvent?: EventSink;
}

export interface RemoteSession {
  config: RemoteConfig;
  url: string;
  stores: RemoteStores;
}

/** The configured remote `name` (or the default), as a Result with a diagnostic. */
export function findRemote(project: Project, name?: string): Result<RemoteConfig, RemoteOpError> {
  const config = loadProjectConfig(project.root);
  if (!config.ok) return err({ kind: 'diagnostics', diagnostics: config.error });
  const remote = resolveRemote(config.value, name);
  return remote.ok ? remote : err({ kind: 'diagnostics', diagnostics: [remote.error] });
}

/** Runs `fn` with the remote open (and, with `mutex`, the project mutex held). */
export async function withRemote<T>(
  project: Project,
  opts: RemoteSessionOptions & { create: boolean; mutex: boolean },
  fn: (s: RemoteSession) => Promise<T>,
): Promise<Result<T, RemoteOpError>> {
  const config = findRemote(project, opts.remote);
  if (!config.ok) return config;
  const m = opts.mutex
    ? await acquireProjectMutex(project.root, {
        wait: opts.wait ?? true,
        onWait: (pid) => opts.onEvent?.({ type: 'info', reason: 'waiting-for-lock', pid }),
      })
    : undefined;
  if (m && !m.ok) return err({ kind: 'busy', pid: m.heldBy });
  let stores: RemoteStores | undefined;
  try {
    const reloaded = reloadLock(project);
    if (!reloaded.ok) return err({ kind: 'diagnostics', diagnostics: reloaded.error });
    stores = await openRemote(config.value, project.root, { create: opts.create });
    return ok(await fn({ config: config.value, url: describeRemoteUrl(config.value.url), stores }));
  } catch (e) {
    if (e instanceof RemoteFailureError) return err({ kind: 'remote', failure: e.failure });
    throw e;
  } finally {
    await stores?.close();
    if (m?.ok) m.mutex.release();
  }
}

/** The stages named by `targets` (foreach base names expand), or every stage in pipeline.lock. */
export function selectLockStages(project: Project, targets: readonly string[]): Result<string[], RemoteOpError> {
  if (targets.length === 0) return ok(Object.keys(project.lock.stages).sort());
  const t = resolveTargets(project.graph, [...targets]);
  return t.ok ? ok(t.value) : err({ kind: 'diagnostics', diagnostics: [t.error] });
}

/** The cached outs pipeline.lock records for `stages` (`cache: false` outs are not in any store). */
export function lockOuts(project: Project, stages: readonly string[]): OutRef[] {
  return stages.flatMap((stage) =>
    (project.lock.stages[stage]?.outs ?? [])
      .filter((o) => o.cache !== false)
      .map((o) => ({ stage, path: o.path, hash: o.hash, size: o.size })),
  );
}

/** The outs named by the run-cache records of `runs` (for `--run-cache`), as optional outs. */
export async function runCacheOuts(runs: RunCache): Promise<OutRef[]> {
  const out: OutRef[] = [];
  for (const entries of (await runs.all()).values()) {
    for (const e of entries)
      for (const o of e.outs)
        if (o.cache !== false) out.push({ stage: e.stage, path: o.path, hash: o.hash, size: o.size, optional: true });
  }
  return out;
}

/** The run cache in `records`, restricted to `stages` when given (push/fetch of named stages). */
export function runsOf(records: KeyValueStore, stages: ReadonlySet<string> | undefined): RunCache {
  if (!stages) return new RunCache(records);
  return new RunCache({
    location: records.location,
    read: (k) => records.read(k),
    write: (k, d) => records.write(k, d),
    delete: (k) => records.delete(k),
    async *list(prefix) {
      for await (const k of records.list(prefix)) if (stages.has(decodeURIComponent(k.split('/')[0] ?? ''))) yield k;
    },
  });
}

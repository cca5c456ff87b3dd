/**
 * Brings one stage up to date: hash its state, decide (plan.ts), then skip, restore from the cache,
 * restore from the run cache, or run it and commit its outs to the cache, the lock and the run cache.
 * A failed or cancelled run commits nothing, so pipeline.lock and the cache stay consistent.
 * Owns: the commit protocol. Does not own: ordering or concurrency (scheduler.ts).
 */
import fs from 'node:fs';
import type { ContentHash, StageKey } from './model/brands.js';
import type { EventSink, FailureEvent } from './model/events.js';
import type { StageSpec } from './model/spec.js';
import type { StaleReason } from './model/reasons.js';
import { nestedParams } from './config/params.js';
import { writeLock, type LockEntry, type LockedOut, type LockedPath } from './lock/lockfile.js';
import { runEnvironment, runKey } from './hash/stage-key.js';
import type { HashedPath } from './hash/hash-path.js';
import { decide, type DecideInput } from './plan.js';
import { corruptObjectEvent, materialise, verifyForRestore } from './cache/checkout.js';
import { abs, diffWorkspaceStage, stageState, type StageState, type Workspace } from './workspace.js';
import { describeCommand, type StageRunner } from './runner/types.js';

export interface ExecuteOptions {
  forced: boolean;
  runCache: boolean;
  dry: boolean;
  /** --dry: an upstream stage that would run (this stage's inputs are then unknown). */
  upstreamWouldRun?: string;
  signal: AbortSignal;
  runner: StageRunner;
  emit: EventSink;
  /** `repro --pull`: a remote to fetch from before running a stale stage. */
  remote?: RemoteRunSource;
}

/**
 * What `repro --pull` needs of a remote (implemented in remote/run-source.ts). Both calls bring objects
 * into the local cache verified; a failure is returned as a sentence (the stage then runs), never thrown.
 */
export interface RemoteRunSource {
  readonly name: string;
  /** The remote's run-cache record for (stage, key) with all its objects fetched; undefined when it has none. */
  fetchRun(stage: string, key: StageKey): Promise<{ outs: LockedOut[] } | { error: string } | undefined>;
  /** Fetches the objects of `outs` (a lock entry's outs missing from the workspace and the cache). */
  fetchOuts(stage: string, outs: readonly LockedOut[]): Promise<{ error?: string }>;
}

/** How a stage ended, for the scheduler and the summary. */
export type StageOutcome = 'ran' | 'up-to-date' | 'frozen' | 'restored' | 'would-run' | 'failed' | 'cancelled';

export async function executeStage(ws: Workspace, stage: StageSpec, opts: ExecuteOptions): Promise<StageOutcome> {
  const name = stage.name;
  const state = stageState(ws, stage);
  for (const warning of state.codeWarnings) opts.emit({ type: 'info', reason: 'code-warning', stage: name, warning });
  const { reasons } = diffWorkspaceStage(ws, stage, state);
  const entry = ws.lock.stages[name];
  // Cache lookups (manifest reads, one stat per file of a directory out) only when the stage is stale.
  // In --dry, an upstream stage that would run makes this stage's inputs unknown: its current dep hashes
  // say nothing about what it will see, so no cache verdict can be given for it.
  const inputsUnknown = opts.upstreamWouldRun !== undefined;
  const stale = reasons.length > 0 || opts.forced || inputsUnknown;
  const key = stale && !inputsUnknown ? runCacheKey(stage, state) : undefined;
  const hit = opts.runCache && key !== undefined ? await ws.runCache.get(name, key) : undefined;
  let hitOuts = hit?.outs;
  const onlyOutsMissing = reasons.length > 0 && reasons.every((r) => r.kind === 'out-missing');
  let input: DecideInput = {
    frozen: stage.frozen,
    forced: opts.forced,
    reasons: opts.upstreamWouldRun
      ? [{ kind: 'upstream-would-run' as const, upstream: opts.upstreamWouldRun }, ...reasons]
      : reasons,
    lockedOutsCached: !inputsUnknown && onlyOutsMissing && entry !== undefined && (await allComplete(ws, entry.outs)),
    runCacheHit: hit !== undefined && (await allComplete(ws, hit.outs)),
  };
  let decision = decide(input);
  let fromRemote: 'run' | 'outs' | undefined;
  if (opts.remote && !opts.dry && decision.action === 'run') {
    const r = await consultRemote(
      ws,
      name,
      input,
      entry?.outs,
      opts.runCache ? key : undefined,
      opts.remote,
      opts.emit,
    );
    ({ input, from: fromRemote } = r);
    if (r.outs) hitOuts = r.outs;
    decision = decide(input);
  }
  if (opts.dry) {
    if (decision.action === 'run')
      opts.emit({ type: 'info', reason: 'would-run', stage: name, reasons: decision.reasons });
    else if (decision.action === 'restore-cache' || decision.action === 'restore-run-cache') {
      opts.emit({
        type: 'info',
        reason: 'would-restore',
        stage: name,
        from: decision.action === 'restore-cache' ? 'cache' : 'run-cache',
      });
    } else
      opts.emit({ type: 'success', reason: decision.action === 'skip-frozen' ? 'frozen' : 'up-to-date', stage: name });
    return decision.action === 'run' ? 'would-run' : decision.action === 'skip-frozen' ? 'frozen' : 'up-to-date';
  }
  for (;;) {
    switch (decision.action) {
      case 'skip-frozen':
        opts.emit({ type: 'success', reason: 'frozen', stage: name });
        return 'frozen';
      case 'up-to-date':
        opts.emit({ type: 'success', reason: 'up-to-date', stage: name });
        return 'up-to-date';
      case 'restore-cache': {
        const paths = decision.paths;
        if (
          await restoreOuts(
            ws,
            name,
            (entry?.outs ?? []).filter((o) => paths.includes(o.path)),
            opts,
          )
        ) {
          ws.store.save();
          opts.emit({
            type: 'success',
            reason: 'restored-cache',
            stage: name,
            paths,
            ...(fromRemote === 'outs' ? { remote: opts.remote?.name } : {}),
          });
          return 'restored';
        }
        break;
      }
      case 'restore-run-cache': {
        const outs = hitOuts ?? [];
        if (await restoreOuts(ws, name, outs, opts)) {
          record(ws, stage, state, outs);
          opts.emit({
            type: 'success',
            reason: 'restored-run-cache',
            stage: name,
            ...(fromRemote === 'run' ? { remote: opts.remote?.name } : {}),
          });
          return 'restored';
        }
        break;
      }
      case 'run':
        return run(ws, stage, state, decision.reasons, key, opts);
    }
    // A restore met a bad object (now quarantined, so the cache no longer offers it): decide again. This
    // ends in the run cache (which may hold intact objects for the same inputs) or in a re-run.
    const runCacheStillHit =
      decision.action === 'restore-cache' && hitOuts !== undefined && (await allComplete(ws, hitOuts));
    decision = decide({ ...input, lockedOutsCached: false, runCacheHit: runCacheStillHit });
  }
}

/**
 * `repro --pull` for a stage that would run: fetch the lock's objects when only outs are missing, else the
 * remote's run-cache record for the stage's inputs, and say what the decision may now use.
 */
async function consultRemote(
  ws: Workspace,
  name: string,
  input: DecideInput,
  lockedOuts: readonly LockedOut[] | undefined,
  key: StageKey | undefined,
  remote: RemoteRunSource,
  emit: EventSink,
): Promise<{ input: DecideInput; from?: 'run' | 'outs'; outs?: LockedOut[] }> {
  const warn = (message: string) => emit({ type: 'info', reason: 'log', stage: name, level: 'warn', message });
  if (lockedOuts && decide({ ...input, lockedOutsCached: true }).action === 'restore-cache') {
    const r = await remote.fetchOuts(name, lockedOuts);
    if (r.error === undefined)
      return { input: { ...input, lockedOutsCached: await allComplete(ws, lockedOuts) }, from: 'outs' };
    warn(r.error);
  }
  if (key !== undefined && decide({ ...input, runCacheHit: true }).action === 'restore-run-cache') {
    const r = await remote.fetchRun(name, key);
    if (r && 'error' in r) warn(r.error);
    else if (r) return { input: { ...input, runCacheHit: await allComplete(ws, r.outs) }, from: 'run', outs: r.outs };
  }
  return { input };
}

async function run(
  ws: Workspace,
  stage: StageSpec,
  state: StageState,
  reasons: StaleReason[],
  key: StageKey | undefined,
  opts: ExecuteOptions,
): Promise<StageOutcome> {
  const name = stage.name;
  const missingDeps = [...state.deps].filter(([, h]) => !h).map(([p]) => p);
  if (missingDeps.length > 0)
    return fail(opts, { type: 'failure', reason: 'missing-deps', stage: name, paths: missingDeps });
  opts.emit({ type: 'info', reason: 'running', stage: name, reasons, command: describeCommand(stage) });
  if (!opts.runner.preparesOuts)
    for (const o of stage.outs) if (!o.persist) fs.rmSync(abs(ws, o.path), { recursive: true, force: true });
  for (const o of stage.outs) ws.hasher.invalidate(o.path);
  const started = Date.now();
  const outcome = await opts.runner.run({
    stage,
    root: ws.root,
    params: nestedParams(stage.params, ws.spec.params),
    signal: opts.signal,
    onEvent: opts.emit,
    ...(key !== undefined ? { key } : {}),
  });
  if (!outcome.ok) return fail(opts, outcome.failure);
  if (opts.signal.aborted) return fail(opts, { type: 'failure', reason: 'cancelled', stage: name });
  const hashed = stage.outs.map((o) => ({ out: o, h: ws.hasher.hash(o.path, { needManifest: true }) }));
  const missing = hashed.filter((x) => !x.h).map((x) => x.out.path as string);
  if (missing.length > 0) return fail(opts, { type: 'failure', reason: 'missing-outs', stage: name, paths: missing });
  const outs: LockedOut[] = [];
  for (const { out, h } of hashed) {
    const hp = h as HashedPath;
    await ws.store.putPath(abs(ws, out.path), hp);
    outs.push({
      ...locked(out.path, hp),
      ...(out.kind !== 'out' ? { kind: out.kind } : {}),
      ...(out.cache ? {} : { cache: false as const }),
      ...(out.persist ? { persist: true as const } : {}),
    });
  }
  record(ws, stage, state, outs);
  if (key !== undefined) await ws.runCache.put({ stage: name, key, createdAt: new Date().toISOString(), outs });
  opts.emit({ type: 'success', reason: 'ran', stage: name, durationMs: Date.now() - started });
  return 'ran';
}

function fail(opts: ExecuteOptions, failure: FailureEvent): StageOutcome {
  opts.emit(failure);
  return failure.reason === 'cancelled' ? 'cancelled' : 'failed';
}

/** Writes the stage's lock entry (and persists the state index). */
function record(ws: Workspace, stage: StageSpec, state: StageState, outs: LockedOut[]): void {
  const c = state.current;
  const entry: LockEntry = {
    ...(c.cmd !== undefined ? { cmd: c.cmd } : {}),
    ...(c.module !== undefined ? { module: c.module } : {}),
    ...(c.moduleHash !== undefined ? { module_hash: c.moduleHash } : {}),
    ...(stage.wdir !== '.' ? { wdir: stage.wdir } : {}),
    definition: c.definition,
    deps: [...state.deps].map(([p, h]) => locked(p, h as HashedPath)),
    ...(c.code ? { code: c.code.map((f) => ({ path: f.path, hash: f.hash as ContentHash })) } : {}),
    ...(c.packages ? { packages: c.packages.map((p) => ({ name: p.name, hash: p.hash })) } : {}),
    params: state.params,
    outs,
  };
  ws.lock.stages[stage.name] = entry;
  // Entries of stages that no longer exist in pipeline.yaml (renamed or removed) are dropped.
  for (const name of Object.keys(ws.lock.stages)) if (!ws.graph.byName.has(name)) delete ws.lock.stages[name];
  writeLock(ws.root, ws.lock);
  ws.hasher.save();
  ws.store.save();
}

/**
 * Verifies every object of `outs` first (a corrupt one is quarantined and reported), and only when all are
 * good restores them into the workspace. False when anything was bad: the caller re-decides.
 */
async function restoreOuts(
  ws: Workspace,
  stage: string,
  outs: readonly LockedOut[],
  opts: ExecuteOptions,
): Promise<boolean> {
  let good = true;
  for (const o of outs) {
    const bad = await verifyForRestore(ws.store, o.hash);
    for (const b of bad) opts.emit(corruptObjectEvent(ws.root, stage, o.path, b, true));
    if (bad.length > 0) good = false;
  }
  if (!good) return false;
  for (const o of outs) {
    await materialise(ws.store, o.hash, abs(ws, o.path));
    ws.hasher.invalidate(o.path);
  }
  return true;
}

async function allComplete(ws: Workspace, outs: readonly LockedOut[]): Promise<boolean> {
  for (const o of outs) if (!(await ws.store.hasComplete(o.hash))) return false;
  return true;
}

function locked(p: string, h: HashedPath): LockedPath {
  return { path: p, hash: h.hash, size: h.size, ...(h.nfiles !== undefined ? { nfiles: h.nfiles } : {}) };
}

function runCacheKey(stage: StageSpec, state: StageState): StageKey | undefined {
  const deps: Record<string, ContentHash> = {};
  for (const [p, h] of state.deps) {
    if (!h) return undefined;
    deps[p] = h.hash;
  }
  const { code, packages } = state.current;
  if (code?.some((f) => f.hash === undefined)) return undefined;
  const codeKey = code
    ? {
        files: Object.fromEntries(code.map((f) => [f.path, f.hash as string])),
        packages: Object.fromEntries((packages ?? []).map((p) => [p.name, p.hash])),
      }
    : undefined;
  return runKey(state.current.definition, deps, state.params, runEnvironment(stage), codeKey);
}

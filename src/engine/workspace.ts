/**
 * A project opened for work: its spec, graph, lock, hasher and cache stores, plus the IO that computes
 * a stage's current state. Owns: assembling those pieces and hashing a stage's inputs/outputs.
 * Does not own: the staleness rules (lock/diff-stage.ts) or decisions (plan.ts).
 */
import path from 'node:path';
import { err, ok, type Result } from './model/result.js';
import type { Diagnostic } from './model/diagnostic.js';
import type { ContentHash } from './model/brands.js';
import type { StageSpec } from './model/spec.js';
import { loadPipeline, type LoadedPipeline, type LoadOptions } from './config/load-spec.js';
import { stageParamValues, type ParamValues } from './config/params.js';
import { readLock, type LockFile } from './lock/lockfile.js';
import { diffStage, type CurrentStage, type StageDiff } from './lock/diff-stage.js';
import { PathHasher, type HashedPath } from './hash/hash-path.js';
import { StateIndex } from './hash/state-index.js';
import type { Hasher } from './hash/hash-file.js';
import { definitionHash } from './hash/stage-key.js';
import { ObjectStore } from './cache/object-store.js';
import { RunCache } from './cache/run-cache.js';
import { ParseCache } from './config/parse-cache.js';
import { CodeClosure } from './code/code-closure.js';
import { isParsable } from './code/resolve-import.js';
import type { CodeWarning } from './model/reasons.js';

export interface Workspace extends LoadedPipeline {
  root: string;
  lock: LockFile;
  hasher: PathHasher;
  store: ObjectStore;
  runCache: RunCache;
}

export interface OpenOptions extends LoadOptions {
  /** Replaces the file hasher (tests count reads with it). */
  fileHasher?: Hasher;
}

/** Loads pipeline.yaml, params and pipeline.lock of the project at `root`. */
export function openWorkspace(root: string, opts: OpenOptions = {}): Result<Workspace, Diagnostic[]> {
  const parseCache = ParseCache.forProject(root);
  const loaded = loadPipeline(root, { ...opts, parseCache });
  if (!loaded.ok) return loaded;
  const lock = readLock(root, parseCache);
  if (!lock.ok) return err([lock.error]);
  parseCache.save();
  return ok({
    ...loaded.value,
    root,
    lock: lock.value,
    hasher: new PathHasher(root, StateIndex.forProject(root), opts.fileHasher),
    store: new ObjectStore(root),
    runCache: new RunCache(root),
  });
}

/** A stage's current state with the hashes behind it (reused when committing). */
export interface StageState {
  current: CurrentStage;
  deps: Map<string, HashedPath | undefined>;
  outs: Map<string, HashedPath | undefined>;
  params: ParamValues;
  /** Module stages: what the import closure cannot follow (printed by status and repro). */
  codeWarnings: CodeWarning[];
}

// One closure walker per opened workspace: its memo of parsed files and resolved specifiers lives as long
// as the workspace (one command), kept outside the Workspace type so openWorkspace is unchanged.
const closures = new WeakMap<Workspace, CodeClosure>();

/** The import closure of a module stage, rooted at its module and at any code file declared in `deps:`. */
function stageCode(ws: Workspace, stage: StageSpec): Pick<CurrentStage, 'code' | 'packages'> & { warnings: CodeWarning[] } {
  if (stage.command.kind !== 'module') return { warnings: [] };
  let closure = closures.get(ws);
  if (!closure) closures.set(ws, (closure = new CodeClosure(ws.root)));
  const roots = [stage.command.module as string, ...stage.deps.map((d) => d.path as string).filter(isParsable)];
  const code = closure.stageCode(roots);
  closure.save();
  return {
    code: code.files.map((f) => ({ path: f.path, hash: ws.hasher.hash(f.path)?.hash, importer: f.importer })),
    packages: code.packages.map((p) => ({ name: p.name, hash: p.hash, importer: p.importer })),
    warnings: code.warnings,
  };
}

/** Hashes a stage's module, its code closure, deps and outs (through the state index) and collects its param values. */
export function stageState(ws: Workspace, stage: StageSpec): StageState {
  const moduleHash = stage.command.kind === 'module' ? ws.hasher.hash(stage.command.module)?.hash : undefined;
  const { warnings: codeWarnings, ...code } = stageCode(ws, stage);
  const deps = new Map(stage.deps.map((d) => [d.path as string, ws.hasher.hash(d.path)]));
  const outs = new Map(stage.outs.map((o) => [o.path as string, ws.hasher.hash(o.path)]));
  const params = stageParamValues(stage, ws.spec.params);
  const current: CurrentStage = {
    definition: definitionHash(stage, moduleHash),
    ...(stage.command.kind === 'cmd' ? { cmd: stage.command.cmd } : { module: stage.command.module }),
    ...(moduleHash ? { moduleHash } : {}),
    alwaysChanged: stage.alwaysChanged,
    deps: [...deps].map(([p, h]) => ({ path: p, hash: h?.hash })),
    ...code,
    params,
    outs: [...outs].map(([p, h]) => ({ path: p, hash: h?.hash })),
  };
  return { current, deps, outs, params, codeWarnings };
}

/** Diffs a stage against its lock entry. */
export function diffWorkspaceStage(ws: Workspace, stage: StageSpec, state: StageState, allowMissing = false): StageDiff {
  return diffStage(ws.lock.stages[stage.name], state.current, {
    allowMissing,
    upstreamOut: (p) => upstreamOutHash(ws, p),
  });
}

/** The hash the lock records for `p` as some stage's out. */
function upstreamOutHash(ws: Workspace, p: string): { stage: string; hash: ContentHash } | undefined {
  for (const [stage, entry] of Object.entries(ws.lock.stages)) {
    const out = entry.outs.find((o) => o.path === p);
    if (out) return { stage, hash: out.hash };
  }
  return undefined;
}

/** Absolute path of a project path. */
export function abs(ws: Workspace, p: string): string {
  return path.join(ws.root, p);
}

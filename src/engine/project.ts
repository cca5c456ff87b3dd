/**
 * The one way to open a project: find its root, load pipeline.yaml + params + pipeline.lock, and assemble
 * the pieces every command works with (state index, object store, run cache, runner registry).
 * Owns: `Project` and `openProject`. Does not own: what commands do with it (repro.ts, status.ts, ...).
 */
import path from 'node:path';
import { err, ok, type Result } from './model/result.js';
import type { Diagnostic } from './model/diagnostic.js';
import { findProjectRoot, loadPipeline, type LoadedPipeline } from './config/load-spec.js';
import { ParseCache } from './config/parse-cache.js';
import { readLock, type LockFile } from './lock/lockfile.js';
import { PathHasher } from './hash/hash-path.js';
import { StateIndex } from './hash/state-index.js';
import type { Hasher } from './hash/hash-file.js';
import { LocalObjectStore } from './cache/local-object-store.js';
import { RunCache } from './cache/run-cache.js';
import { RunnerRegistry } from './runner/registry.js';

/** An opened project. Commands receive it; nothing else re-reads pipeline.yaml or the lock. */
export interface Project extends LoadedPipeline {
  /** Absolute project root (the directory holding pipeline.yaml). */
  root: string;
  lock: LockFile;
  hasher: PathHasher;
  /** The project's own cache (`cache/`); remotes are other ObjectStores. */
  store: LocalObjectStore;
  runCache: RunCache;
  runners: RunnerRegistry;
}

export interface OpenProjectOptions {
  /** Project root; default: the nearest directory with pipeline.yaml at or above `cwd`. */
  root?: string;
  cwd?: string;
  /** Tolerate deps that are absent and produced by no stage (fresh clones, read-only reports). */
  allowMissingDeps?: boolean;
  /** Use these params values instead of the files (experiments). */
  paramsOverride?: ReadonlyMap<string, unknown>;
  /** Replaces the file hasher (tests count reads with it). */
  fileHasher?: Hasher;
  /** Replaces the built-in executors (tests, embedders). */
  runners?: RunnerRegistry;
}

export function openProject(opts: OpenProjectOptions = {}): Result<Project, Diagnostic[]> {
  const root = opts.root !== undefined ? ok(path.resolve(opts.root)) : findProjectRoot(opts.cwd ?? process.cwd());
  if (!root.ok) return err([root.error]);
  const dir = root.value;
  const parseCache = ParseCache.forProject(dir);
  const loaded = loadPipeline(dir, {
    parseCache,
    ...(opts.allowMissingDeps ? { allowMissingDeps: true } : {}),
    ...(opts.paramsOverride ? { paramsOverride: opts.paramsOverride } : {}),
  });
  if (!loaded.ok) return loaded;
  const lock = readLock(dir, parseCache);
  if (!lock.ok) return err([lock.error]);
  parseCache.save();
  return ok({
    ...loaded.value,
    root: dir,
    lock: lock.value,
    hasher: new PathHasher(dir, StateIndex.forProject(dir), opts.fileHasher),
    store: LocalObjectStore.forProject(dir),
    runCache: RunCache.forProject(dir),
    runners: opts.runners ?? RunnerRegistry.builtIn(),
  });
}

/**
 * Re-reads pipeline.lock into `project` (after taking the project mutex, the lock on disk is the one the
 * previous run left).
 */
export function reloadLock(project: Project): Result<void, Diagnostic[]> {
  // Through the parse cache: an unchanged lock (the usual case) is not parsed again, and a no-op repro
  // never loads the YAML library.
  const parseCache = ParseCache.forProject(project.root);
  const lock = readLock(project.root, parseCache);
  if (!lock.ok) return err([lock.error]);
  parseCache.save();
  project.lock = lock.value;
  return ok(undefined);
}

/**
 * pipeline.lock: what each stage's last successful run used and produced. YAML with a fixed key order
 * (stages sorted by name), written atomically (temp + rename).
 * Owns: the lock format, reading and writing it. Does not own: comparing it with the workspace (diff-stage.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { yamlLib } from '../config/yaml-lib.js';
import type { ParseCache } from '../config/parse-cache.js';
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { ContentHash, StageKey } from '../model/brands.js';
import type { OutKind } from '../model/spec.js';
import type { ParamValues } from '../config/params.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';

export const LOCK_FILE = 'pipeline.lock';
export const LOCK_SCHEMA = 'xpipe-lock/1';

/** A dep or out as recorded: project-relative path, hash, size, and file count for directories. */
export interface LockedPath {
  path: string;
  hash: ContentHash;
  size: number;
  nfiles?: number;
}

/** A recorded out with its non-default flags. */
export interface LockedOut extends LockedPath {
  kind?: Exclude<OutKind, 'out'>;
  cache?: false;
  persist?: true;
}

/** One stage's record. */
export interface LockEntry {
  cmd?: string;
  module?: string;
  module_hash?: ContentHash;
  wdir?: string;
  /** definitionHash() of the stage when it ran. */
  definition: StageKey;
  deps: LockedPath[];
  /** Module stages: every local file the module imports (transitively), with its content hash. */
  code?: LockedCode[];
  /** Module stages: each package the code imports, with the hash of its package-lock.json entries. */
  packages?: LockedPackage[];
  params: ParamValues;
  outs: LockedOut[];
}

/** A file of a module stage's import closure. */
export interface LockedCode {
  path: string;
  hash: ContentHash;
}

/** A package imported by a module stage's code (hash: package-hash.ts). */
export interface LockedPackage {
  name: string;
  hash: string;
}

export interface LockFile {
  stages: Record<string, LockEntry>;
}

/** Reads pipeline.lock; an absent file is an empty lock. */
export function readLock(root: string, cache?: ParseCache): Result<LockFile, Diagnostic> {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, LOCK_FILE), 'utf8');
  } catch {
    return ok({ stages: {} });
  }
  try {
    const cached = cache?.get(LOCK_FILE, text);
    const data = (cached?.hit ? cached.value : yamlLib().parse(text)) as { schema?: unknown; stages?: unknown } | null;
    if (data === null) return ok({ stages: {} });
    if (data.schema !== LOCK_SCHEMA || data.stages === null || typeof data.stages !== 'object')
      throw new Error('bad schema');
    if (!cached?.hit) cache?.set(LOCK_FILE, text, data);
    return ok({ stages: (data.stages ?? {}) as Record<string, LockEntry> });
  } catch {
    return err({
      code: 'yaml-syntax',
      message: `${LOCK_FILE} is corrupt or from another tool (expected "schema: ${LOCK_SCHEMA}"). Restore it from git, or delete it to re-run every stage.`,
    });
  }
}

/** Writes pipeline.lock atomically with deterministic ordering. */
export function writeLock(root: string, lock: LockFile): void {
  const stages: Record<string, unknown> = {};
  for (const name of Object.keys(lock.stages).sort()) stages[name] = orderEntry(lock.stages[name]);
  const text = yamlLib().stringify({ schema: LOCK_SCHEMA, stages }, { lineWidth: 0, aliasDuplicateObjects: false });
  writeFileAtomicSync(path.join(root, LOCK_FILE), text);
}

function orderEntry(e: LockEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.cmd !== undefined) out['cmd'] = e.cmd;
  if (e.module !== undefined) out['module'] = e.module;
  if (e.module_hash !== undefined) out['module_hash'] = e.module_hash;
  if (e.wdir !== undefined && e.wdir !== '.') out['wdir'] = e.wdir;
  out['definition'] = e.definition;
  out['deps'] = [...e.deps].sort(byPath).map(orderPath);
  if (e.code !== undefined) out['code'] = [...e.code].sort(byPath).map((c) => ({ path: c.path, hash: c.hash }));
  if (e.packages !== undefined)
    out['packages'] = [...e.packages]
      .sort((a, b) => byPath({ path: a.name }, { path: b.name }))
      .map((p) => ({ name: p.name, hash: p.hash }));
  out['params'] = Object.fromEntries(
    Object.keys(e.params)
      .sort()
      .map((f) => [f, sortObject(e.params[f])]),
  );
  out['outs'] = [...e.outs].sort(byPath).map((o) => ({
    ...orderPath(o),
    ...(o.kind ? { kind: o.kind } : {}),
    ...(o.cache === false ? { cache: false } : {}),
    ...(o.persist ? { persist: true } : {}),
  }));
  return out;
}

function orderPath(p: LockedPath): Record<string, unknown> {
  return { path: p.path, hash: p.hash, size: p.size, ...(p.nfiles !== undefined ? { nfiles: p.nfiles } : {}) };
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function sortObject(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortObject);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortObject((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * Compares a stage's lock entry with its current state and returns every reason it is stale.
 * Owns: staleness semantics. Pure: the caller hashes the workspace and passes the results in.
 */
import type { ContentHash, StageKey } from '../model/brands.js';
import type { StaleReason } from '../model/reasons.js';
import { diffParamValue, type ParamValues } from '../config/params.js';
import type { LockEntry } from './lockfile.js';

/** A dep or out as found in the workspace; `hash` undefined means absent. */
export interface CurrentPath {
  path: string;
  hash: ContentHash | undefined;
}

/** A stage's current definition and workspace state. */
export interface CurrentStage {
  definition: StageKey;
  cmd?: string;
  module?: string;
  moduleHash?: ContentHash;
  alwaysChanged: boolean;
  deps: CurrentPath[];
  /** Module stages: the import closure's files (hash undefined: vanished while hashing). */
  code?: CurrentCode[];
  /** Module stages: packages the closure imports, with their package-lock hash. */
  packages?: CurrentPackage[];
  params: ParamValues;
  outs: CurrentPath[];
}

/** A file of a module stage's import closure and the file that imports it. */
export interface CurrentCode extends CurrentPath {
  importer: string;
}

export interface CurrentPackage {
  name: string;
  hash: string;
  importer: string;
}

export interface DiffOptions {
  /** Absent deps/outs are "not present" instead of stale (fresh clone without data/ and cache/). */
  allowMissing?: boolean;
  /** For --allow-missing: the hash the lock records for `path` as an upstream stage's out. */
  upstreamOut?: (path: string) => { stage: string; hash: ContentHash } | undefined;
}

export interface StageDiff {
  reasons: StaleReason[];
  /** Paths absent from the workspace that --allow-missing tolerated. */
  notPresent: string[];
}

/** Every reason `current` differs from `entry` (empty when up to date). */
export function diffStage(entry: LockEntry | undefined, current: CurrentStage, opts: DiffOptions = {}): StageDiff {
  const reasons: StaleReason[] = [];
  const notPresent: string[] = [];
  if (!entry) {
    reasons.push({ kind: 'never-run' });
    if (opts.allowMissing) for (const o of current.outs) if (!o.hash) notPresent.push(o.path);
    return { reasons, notPresent };
  }
  if (current.alwaysChanged) reasons.push({ kind: 'always-changed' });
  if (entry.definition !== current.definition) reasons.push(...definitionReasons(entry, current));

  const lockedDeps = new Map(entry.deps.map((d) => [d.path, d.hash]));
  for (const d of current.deps) {
    const locked = lockedDeps.get(d.path);
    if (locked === undefined) continue; // reported as dep-added
    if (d.hash === undefined) {
      const up = opts.allowMissing ? opts.upstreamOut?.(d.path) : undefined;
      if (up && up.hash !== locked) reasons.push({ kind: 'dep-chain-mismatch', path: d.path, upstream: up.stage });
      else if (opts.allowMissing) notPresent.push(d.path);
      else reasons.push({ kind: 'dep-missing', path: d.path });
    } else if (d.hash !== locked) reasons.push({ kind: 'dep-changed', path: d.path });
  }

  reasons.push(...codeReasons(entry, current));

  for (const [file, values] of Object.entries(current.params)) {
    const old = entry.params[file] ?? {};
    for (const [key, value] of Object.entries(values)) {
      if (!(key in old)) continue; // reported as param-added
      const prefix = file === 'params.yaml' ? '' : `${file}:`;
      for (const c of diffParamValue(key, old[key], value))
        reasons.push({ kind: 'param-changed', key: prefix + c.key, old: c.old, new: c.new });
    }
  }

  const lockedOuts = new Map(entry.outs.map((o) => [o.path, o.hash]));
  for (const o of current.outs) {
    const locked = lockedOuts.get(o.path);
    if (locked === undefined) continue; // reported as out-added
    if (o.hash === undefined) {
      if (opts.allowMissing) notPresent.push(o.path);
      else reasons.push({ kind: 'out-missing', path: o.path });
    } else if (o.hash !== locked) reasons.push({ kind: 'out-changed', path: o.path });
  }
  return { reasons, notPresent };
}

/**
 * Code deps are always present (they are the project's own sources), so --allow-missing does not apply:
 * `status --check --allow-missing` in CI checks them like params.
 */
function codeReasons(entry: LockEntry, cur: CurrentStage): StaleReason[] {
  if (cur.code === undefined) return [];
  if (entry.code === undefined) return [{ kind: 'code-unrecorded' }];
  const out: StaleReason[] = [];
  const locked = new Map(entry.code.map((c) => [c.path, c.hash]));
  const current = new Set<string>();
  for (const c of cur.code) {
    current.add(c.path);
    const old = locked.get(c.path);
    if (old === undefined) out.push({ kind: 'code-added', path: c.path, importer: c.importer });
    else if (c.hash !== old) out.push({ kind: 'code-changed', path: c.path, importer: c.importer });
  }
  for (const c of entry.code) if (!current.has(c.path)) out.push({ kind: 'code-removed', path: c.path });
  const lockedPkgs = new Map((entry.packages ?? []).map((p) => [p.name, p.hash]));
  const currentPkgs = new Set<string>();
  for (const p of cur.packages ?? []) {
    currentPkgs.add(p.name);
    const old = lockedPkgs.get(p.name);
    if (old === undefined) out.push({ kind: 'package-added', name: p.name, importer: p.importer });
    else if (p.hash !== old) out.push({ kind: 'package-changed', name: p.name, importer: p.importer });
  }
  for (const p of entry.packages ?? [])
    if (!currentPkgs.has(p.name)) out.push({ kind: 'package-removed', name: p.name });
  return out;
}

function definitionReasons(entry: LockEntry, cur: CurrentStage): StaleReason[] {
  const out: StaleReason[] = [];
  if (entry.cmd !== cur.cmd) out.push({ kind: 'cmd-changed', old: entry.cmd, new: cur.cmd });
  if (cur.module !== undefined && (entry.module !== cur.module || entry.module_hash !== cur.moduleHash))
    out.push({ kind: 'module-changed', path: cur.module });
  const setDiff = (a: string[], b: string[]) => ({
    added: b.filter((x) => !a.includes(x)),
    removed: a.filter((x) => !b.includes(x)),
  });
  const deps = setDiff(
    entry.deps.map((d) => d.path),
    cur.deps.map((d) => d.path),
  );
  deps.added.forEach((path) => out.push({ kind: 'dep-added', path }));
  deps.removed.forEach((path) => out.push({ kind: 'dep-removed', path }));
  const keys = (p: ParamValues) =>
    Object.entries(p).flatMap(([f, v]) => Object.keys(v).map((k) => (f === 'params.yaml' ? k : `${f}:${k}`)));
  const params = setDiff(keys(entry.params), keys(cur.params));
  params.added.forEach((key) => out.push({ kind: 'param-added', key }));
  params.removed.forEach((key) => out.push({ kind: 'param-removed', key }));
  const outs = setDiff(
    entry.outs.map((o) => o.path),
    cur.outs.map((o) => o.path),
  );
  outs.added.forEach((path) => out.push({ kind: 'out-added', path }));
  outs.removed.forEach((path) => out.push({ kind: 'out-removed', path }));
  if (out.length === 0) out.push({ kind: 'definition-changed' });
  return out;
}

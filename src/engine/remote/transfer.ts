/**
 * The transfer engine: given the outs to share (from pipeline.lock and, with --run-cache, from run-cache
 * records), work out which objects the destination lacks and move them (move-objects.ts).
 *
 * push: every object of each out must be in the local cache; a directory's manifest goes up only after all
 *   its files, so a manifest on the remote always means a complete directory. Existence checks are
 *   batched (`hasMany`): first the manifests, then the files of the directories not remembered as pushed
 *   completely (dir-memory.ts) and the single-file outs.
 * fetch: the missing manifests first (verified), then the files they list that the local cache lacks; each
 *   object is verified against its id before it enters `cache/`. No existence requests: a failed get is
 *   the answer, reported per out as missing (or corrupt) with its stage.
 * Owns: that planning and the per-out report. Does not own: selecting outs (operations.ts), bytes (the stores).
 */
import type { ObjectId } from '../cache/object-store.js';
import type { LocalObjectStore } from '../cache/local-object-store.js';
import type { RemoteConfig } from '../config/project-config.js';
import type { CompleteDirs } from './dir-memory.js';
import { Meter, moveObjects, type TransferProgress } from './move-objects.js';
import type { RemoteStores } from './registry.js';

/** One out to transfer. */
export interface OutRef {
  stage: string;
  path: string;
  hash: ObjectId;
  size: number;
  /** Named by a run-cache record rather than pipeline.lock: its problems are not reported. */
  optional?: boolean;
}

/** An out that could not be transferred completely, and the objects at fault. */
export interface OutProblem {
  stage: string;
  out: string;
  /**
   * missing-local / corrupt-local: push lacks it in cache/, or its bytes there do not match its id (so it
   * was not uploaded); missing-remote / corrupt-remote: fetch could not get it.
   */
  problem: 'missing-local' | 'corrupt-local' | 'missing-remote' | 'corrupt-remote';
  objects: { id: ObjectId; actual?: string }[];
}

export interface TransferReport {
  remote: string;
  url: string;
  direction: 'push' | 'fetch';
  /** Objects moved, and their bytes. */
  objects: number;
  bytes: number;
  /** Objects the destination already had. */
  alreadyThere: number;
  durationMs: number;
  problems: OutProblem[];
  /** With --run-cache: records copied, and records left out because an object of theirs is missing. */
  runCache?: { copied: number; skipped: number };
}

export interface TransferOptions {
  remote: RemoteConfig;
  url: string;
  jobs: number;
  onProgress?: ((p: TransferProgress) => void) | undefined;
}

export async function pushOuts(
  local: LocalObjectStore,
  remote: RemoteStores,
  outs: readonly OutRef[],
  memory: CompleteDirs,
  opts: TransferOptions,
): Promise<TransferReport> {
  const meter = new Meter('push', opts.onProgress);
  const problems: OutProblem[] = [];
  const sizes = new Map<ObjectId, number>();
  const files = new Set<ObjectId>();
  /** Directories complete in the local cache → their files. */
  const dirs = new Map<ObjectId, ObjectId[]>();
  for (const out of outs) {
    const missing = (ids: ObjectId[]) =>
      !out.optional &&
      problems.push({ stage: out.stage, out: out.path, problem: 'missing-local', objects: ids.map((id) => ({ id })) });
    if (!out.hash.endsWith('.dir')) {
      sizes.set(out.hash, out.size);
      if (await local.has(out.hash)) files.add(out.hash);
      else missing([out.hash]);
      continue;
    }
    const manifest = await local.readManifest(out.hash);
    if (!manifest) {
      missing([out.hash]);
      continue;
    }
    for (const e of manifest) sizes.set(e.h, e.s);
    const ids = [...new Set(manifest.map((e) => e.h))];
    const present = await local.hasMany(ids);
    for (const id of ids) if (present.has(id)) files.add(id);
    const absent = ids.filter((id) => !present.has(id));
    // The files that are here still go up; the manifest is withheld so the remote never lists an incomplete directory.
    if (absent.length > 0) missing(absent);
    else dirs.set(out.hash, ids);
  }
  const dirIds = [...dirs.keys()];
  const dirsThere = dirIds.length > 0 ? await remote.objects.hasMany(dirIds) : new Set<ObjectId>();
  const vouched = new Set<ObjectId>();
  for (const d of dirIds) {
    if (!dirsThere.has(d)) memory.delete(d);
    else if (memory.has(d)) for (const id of dirs.get(d) ?? []) vouched.add(id);
  }
  const toQuery = [...files].filter((id) => !vouched.has(id));
  const filesThere = toQuery.length > 0 ? await remote.objects.hasMany(toQuery) : new Set<ObjectId>();
  // Verified on the way up too: a corrupt object in cache/ (disk fault, an edit) must never reach the
  // remote under an id its bytes do not have. Hashing costs far less than the transfer.
  const move = { direction: 'push' as const, jobs: opts.jobs, verify: true, sizes, remote: opts.remote, meter };
  const sent = await moveObjects(
    local,
    remote.objects,
    toQuery.filter((id) => !filesThere.has(id)),
    move,
  );
  // A file that vanished from cache/ mid-push (gc) leaves its directory incomplete: keep its manifest back.
  const lost = new Set([...sent.absent, ...sent.corrupt.keys()]);
  for (const out of outs) {
    const ids = out.hash.endsWith('.dir') ? (dirs.get(out.hash) ?? []) : [out.hash];
    const bad = ids.filter((id) => sent.corrupt.has(id));
    if (bad.length > 0)
      problems.push({
        stage: out.stage,
        out: out.path,
        problem: 'corrupt-local',
        objects: bad.map((id) => ({ id, actual: sent.corrupt.get(id) ?? '' })),
      });
  }
  const complete = dirIds.filter((d) => !(dirs.get(d) ?? []).some((id) => lost.has(id)));
  const sentDirs = await moveObjects(
    local,
    remote.objects,
    complete.filter((d) => !dirsThere.has(d)),
    move,
  );
  for (const d of complete) if (dirsThere.has(d) || sentDirs.moved.has(d)) memory.add(d);
  memory.save();
  const moved = sent.moved.size + sentDirs.moved.size;
  return {
    remote: opts.remote.name,
    url: opts.url,
    direction: 'push',
    objects: moved,
    bytes: sent.bytes + sentDirs.bytes,
    alreadyThere: files.size - toQuery.length + filesThere.size + dirsThere.size,
    durationMs: Date.now() - meter.started,
    problems,
  };
}

export async function fetchOuts(
  local: LocalObjectStore,
  remote: RemoteStores,
  outs: readonly OutRef[],
  opts: TransferOptions,
): Promise<TransferReport> {
  const meter = new Meter('fetch', opts.onProgress);
  const sizes = new Map<ObjectId, number>();
  const move = { direction: 'fetch' as const, jobs: opts.jobs, verify: true, sizes, remote: opts.remote, meter };
  const wanted = outs.filter((o) => o.hash.endsWith('.dir'));
  const needDirs = [...new Set(wanted.map((o) => o.hash))];
  const haveDirs = await local.hasMany(needDirs);
  const gotDirs = await moveObjects(
    remote.objects,
    local,
    needDirs.filter((d) => !haveDirs.has(d)),
    move,
  );
  const closures = new Map<ObjectId, ObjectId[] | undefined>();
  const need = new Set<ObjectId>();
  for (const out of outs) {
    if (closures.has(out.hash)) continue;
    if (!out.hash.endsWith('.dir')) {
      sizes.set(out.hash, out.size);
      closures.set(out.hash, [out.hash]);
      need.add(out.hash);
      continue;
    }
    const manifest = await local.readManifest(out.hash);
    closures.set(out.hash, manifest && [out.hash, ...manifest.map((e) => e.h)]);
    for (const e of manifest ?? []) {
      sizes.set(e.h, e.s);
      need.add(e.h);
    }
  }
  const needIds = [...need];
  const have = await local.hasMany(needIds);
  const got = await moveObjects(
    remote.objects,
    local,
    needIds.filter((id) => !have.has(id)),
    move,
  );
  local.save();
  const problems: OutProblem[] = [];
  for (const out of outs) {
    if (out.optional) continue;
    const ids = closures.get(out.hash) ?? [out.hash];
    const corrupt = ids.filter((id) => gotDirs.corrupt.has(id) || got.corrupt.has(id));
    const absent = ids.filter((id) => gotDirs.absent.has(id) || got.absent.has(id));
    const actual = (id: ObjectId) => gotDirs.corrupt.get(id) ?? got.corrupt.get(id);
    if (corrupt.length > 0)
      problems.push({
        stage: out.stage,
        out: out.path,
        problem: 'corrupt-remote',
        objects: corrupt.map((id) => ({ id, actual: actual(id) ?? '' })),
      });
    if (absent.length > 0)
      problems.push({
        stage: out.stage,
        out: out.path,
        problem: 'missing-remote',
        objects: absent.map((id) => ({ id })),
      });
  }
  return {
    remote: opts.remote.name,
    url: opts.url,
    direction: 'fetch',
    objects: gotDirs.moved.size + got.moved.size,
    bytes: gotDirs.bytes + got.bytes,
    alreadyThere: haveDirs.size + have.size,
    durationMs: Date.now() - meter.started,
    problems,
  };
}

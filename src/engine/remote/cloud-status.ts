/**
 * `status --cloud`: for each cached out of the selected stages, whether it is in the workspace (matches
 * pipeline.lock), complete in the local cache, and complete on the remote; and what push and pull would
 * move (objects and bytes). Read-only: a manifest only the remote has is read (and checked against its id)
 * in memory, not stored. Existence is asked in two batches (`hasMany`): manifests, then files.
 * Owns: that comparison. Does not own: moving anything.
 */
import crypto from 'node:crypto';
import { ok, type Result } from '../model/result.js';
import type { Project } from '../project.js';
import { HASH_ALGORITHM } from '../hash/hash-file.js';
import { digestOf, type ObjectId, type ObjectStore } from '../cache/object-store.js';
import type { ManifestEntry } from '../hash/hash-path.js';
import { lockOuts, selectLockStages, withRemote, type RemoteOpError, type RemoteSessionOptions } from './session.js';

export type Presence = 'complete' | 'partial' | 'absent';

export interface CloudOutStatus {
  stage: string;
  path: string;
  hash: ObjectId;
  /** The workspace holds exactly what pipeline.lock records. */
  workspace: boolean;
  cache: Presence;
  remote: Presence;
}

export interface CloudStatus {
  remote: string;
  url: string;
  outs: CloudOutStatus[];
  /** What `push` of these stages would upload, and `pull` download. */
  push: { objects: number; bytes: number };
  pull: { objects: number; bytes: number };
}

export async function cloudStatus(
  project: Project,
  opts: RemoteSessionOptions & { targets?: string[] } = {},
): Promise<Result<CloudStatus, RemoteOpError>> {
  const r = await withRemote(project, { ...opts, create: false, mutex: false }, async (s) => {
    const stages = selectLockStages(project, opts.targets ?? []);
    if (!stages.ok) return stages;
    const outs = lockOuts(project, stages.value);
    const local = project.store;
    const remote = s.stores.objects;
    const dirIds = [...new Set(outs.map((o) => o.hash).filter((h) => h.endsWith('.dir')))];
    const [localDirs, remoteDirs] = await Promise.all([local.hasMany(dirIds), remote.hasMany(dirIds)]);
    const sizes = new Map<ObjectId, number>();
    const closures = new Map<ObjectId, ObjectId[] | undefined>();
    for (const o of outs) {
      if (closures.has(o.hash)) continue;
      if (!o.hash.endsWith('.dir')) {
        sizes.set(o.hash, o.size);
        closures.set(o.hash, [o.hash]);
        continue;
      }
      const manifest = localDirs.has(o.hash)
        ? await local.readManifest(o.hash)
        : remoteDirs.has(o.hash)
          ? await readRemoteManifest(remote, o.hash)
          : undefined;
      for (const e of manifest ?? []) sizes.set(e.h, e.s);
      closures.set(o.hash, manifest && [o.hash, ...manifest.map((e) => e.h)]);
    }
    const files = [...new Set([...closures.values()].flatMap((c) => c ?? []).filter((id) => !id.endsWith('.dir')))];
    const [localFiles, remoteFiles] = await Promise.all([local.hasMany(files), remote.hasMany(files)]);
    const inLocal = (id: ObjectId) => (id.endsWith('.dir') ? localDirs.has(id) : localFiles.has(id));
    const inRemote = (id: ObjectId) => (id.endsWith('.dir') ? remoteDirs.has(id) : remoteFiles.has(id));
    const presence = (ids: ObjectId[] | undefined, has: (id: ObjectId) => boolean, top: ObjectId): Presence => {
      if (!ids) return has(top) ? 'partial' : 'absent';
      const n = ids.filter(has).length;
      return n === ids.length ? 'complete' : n === 0 ? 'absent' : 'partial';
    };
    const all = [...new Set([...closures.values()].flatMap((c) => c ?? []))];
    const sum = (ids: ObjectId[]) => ({
      objects: ids.length,
      bytes: ids.reduce((a, id) => a + (sizes.get(id) ?? 0), 0),
    });
    const result: CloudStatus = {
      remote: s.config.name,
      url: s.url,
      outs: outs.map((o) => ({
        stage: o.stage,
        path: o.path,
        hash: o.hash,
        workspace: project.hasher.hash(o.path)?.hash === o.hash,
        cache: presence(closures.get(o.hash), inLocal, o.hash),
        remote: presence(closures.get(o.hash), inRemote, o.hash),
      })),
      push: sum(all.filter((id) => inLocal(id) && !inRemote(id))),
      pull: sum(all.filter((id) => inRemote(id) && !inLocal(id))),
    };
    project.hasher.save();
    return ok(result);
  });
  return r.ok ? r.value : r;
}

/** A manifest read from the remote into memory, or undefined when absent or not matching its id. */
async function readRemoteManifest(store: ObjectStore, id: ObjectId): Promise<ManifestEntry[] | undefined> {
  const s = await store.get(id);
  if (!s) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  if (crypto.createHash(HASH_ALGORITHM).update(bytes).digest('hex') !== digestOf(id)) return undefined;
  try {
    return (JSON.parse(bytes.toString('utf8')) as [string, ObjectId, number][]).map(([p, h, sz]) => ({ p, h, s: sz }));
  } catch {
    return undefined;
  }
}

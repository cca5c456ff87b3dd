/**
 * Restoring outs from the local store into the workspace, verified: every object an out needs is checked
 * (verify-object.ts) before anything in the workspace is touched, so a corrupt object is quarantined and
 * reported instead of being restored. Workspace checkout (reflink or copy) is a local-store capability;
 * remotes only move bytes between stores. Also `checkout`: make every out recorded in pipeline.lock match
 * the lock. Owns: deciding per out whether to restore, and materialising objects. Does not own: the
 * object store layout or the lock format.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { LockFile } from '../lock/lockfile.js';
import type { PathHasher } from '../hash/hash-path.js';
import type { ObjectId } from './object-store.js';
import type { LocalObjectStore } from './local-object-store.js';
import type { InfoEvent } from '../model/events.js';
import { checkObject } from './verify-object.js';

/** An object that could not be restored from: corrupt (moved to `movedTo`), unreadable or missing. */
export interface BadObject {
  id: ObjectId;
  /** Absolute path of the object file in the store. */
  path: string;
  problem: 'corrupt' | 'unreadable' | 'missing';
  movedTo?: string;
  /** What the bytes hashed to (corrupt only). */
  actual?: string;
  error?: string;
}

/** Verifies every object out `id` needs (the manifest first, then its files); returns the bad ones. */
export async function verifyForRestore(store: LocalObjectStore, id: ObjectId): Promise<BadObject[]> {
  const bad: BadObject[] = [];
  const check = async (oid: ObjectId): Promise<boolean> => {
    const objPath = store.objectPath(oid);
    const r = await checkObject(store, oid, { trustIndex: true });
    if (r.status === 'ok') return true;
    if (r.status === 'corrupt')
      bad.push({ id: oid, path: objPath, problem: 'corrupt', movedTo: r.movedTo, actual: r.actual });
    else if (r.status === 'unreadable') bad.push({ id: oid, path: objPath, problem: 'unreadable', error: r.error });
    else bad.push({ id: oid, path: objPath, problem: 'missing' });
    return false;
  };
  if (!(await check(id)) || !id.endsWith('.dir')) return bad;
  const manifest = await store.readManifest(id);
  if (!manifest) return [{ id, path: store.objectPath(id), problem: 'unreadable', error: 'not a directory manifest' }];
  for (const oid of new Set(manifest.map((e) => e.h))) await check(oid);
  return bad;
}

/**
 * Verifies, then materialises object `id` at workspace path `abs`, replacing whatever is there; the
 * workspace is untouched when any object is bad. A directory is built next to its destination and renamed
 * into place.
 */
export async function restoreVerified(store: LocalObjectStore, id: ObjectId, abs: string): Promise<BadObject[]> {
  const bad = await verifyForRestore(store, id);
  if (bad.length === 0) await materialise(store, id, abs);
  return bad;
}

/** Copies object `id` to workspace path `abs` without verifying it (callers verify first). */
export async function materialise(store: LocalObjectStore, id: ObjectId, abs: string): Promise<void> {
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.xpipe-${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    if (id.endsWith('.dir')) {
      const manifest = await store.readManifest(id);
      if (!manifest) throw new Error(`directory object ${id} is missing from the cache`);
      fs.mkdirSync(tmp);
      for (const e of manifest) {
        const dest = path.join(tmp, e.p);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        copyOut(store, e.h, dest);
      }
    } else {
      copyOut(store, id, tmp);
    }
    fs.rmSync(abs, { recursive: true, force: true });
    fs.renameSync(tmp, abs);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

function copyOut(store: LocalObjectStore, id: ObjectId, dest: string): void {
  fs.copyFileSync(store.objectPath(id), dest, fs.constants.COPYFILE_FICLONE);
  fs.chmodSync(dest, 0o644);
}

export interface CheckoutReport {
  restored: string[];
  unchanged: string[];
  /** Recorded in the lock but absent from the cache: cannot be restored (run `xpipe repro`). */
  notInCache: string[];
  /** Outs whose objects failed verification (quarantined); not restored. */
  corrupt: { stage: string; out: string; objects: BadObject[] }[];
}

export async function checkoutOuts(
  lock: LockFile,
  stages: readonly string[] | undefined,
  store: LocalObjectStore,
  hasher: PathHasher,
  root: string,
): Promise<CheckoutReport> {
  const report: CheckoutReport = { restored: [], unchanged: [], notInCache: [], corrupt: [] };
  const names = stages ?? Object.keys(lock.stages).sort();
  for (const name of names) {
    for (const out of lock.stages[name]?.outs ?? []) {
      if (hasher.hash(out.path)?.hash === out.hash) {
        report.unchanged.push(out.path);
        continue;
      }
      if (!(await store.hasComplete(out.hash))) {
        report.notInCache.push(out.path);
        continue;
      }
      const bad = await restoreVerified(store, out.hash, path.join(root, out.path));
      if (bad.length > 0) {
        report.corrupt.push({ stage: name, out: out.path, objects: bad });
        continue;
      }
      hasher.invalidate(out.path);
      report.restored.push(out.path);
    }
  }
  store.save();
  return report;
}

/** The event for a bad object met while restoring `out` of `stage` (`rerun`: the stage runs instead). */
export function corruptObjectEvent(root: string, stage: string, out: string, o: BadObject, rerun: boolean): InfoEvent {
  return {
    type: 'info',
    reason: 'corrupt-object',
    stage,
    out,
    rerun,
    object: path.relative(root, o.path),
    problem: o.problem,
    ...(o.movedTo !== undefined ? { movedTo: path.relative(root, o.movedTo) } : {}),
    ...(o.error !== undefined ? { error: o.error } : {}),
  };
}

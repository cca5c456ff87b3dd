/**
 * Checking cached objects against their ids. An object is trusted without reading it only when the
 * store's vouch index holds its exact file stamp (inode, size, mtime) from when it was written or last
 * verified; otherwise it is hashed. A mismatch moves it to `cache/.corrupt/` so it is never served again.
 * Owns: that policy. Does not own: the store layout (local-object-store.ts) or reporting (callers).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { HASH_ALGORITHM } from '../hash/hash-file.js';
import { digestOf, type ObjectId } from './object-store.js';
import type { LocalObjectStore } from './local-object-store.js';

export type ObjectCheck =
  | { status: 'ok'; size: number }
  | { status: 'missing' }
  /** The bytes hash to `actual`; the object file now lives at `movedTo`. */
  | { status: 'corrupt'; actual: string; movedTo: string }
  | { status: 'unreadable'; error: string };

export interface CheckOptions {
  /** Skip hashing when the vouch index holds the object's current stamp (false: always hash). */
  trustIndex: boolean;
  /** Bytes read so far, for progress lines. */
  onBytes?: (n: number) => void;
}

/** Checks one object (see the module comment); records a verified object in the vouch index. */
export async function checkObject(store: LocalObjectStore, id: ObjectId, opts: CheckOptions): Promise<ObjectCheck> {
  const file = store.objectPath(id);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    return { status: 'unreadable', error: (e as Error).message };
  }
  if (!st) return { status: 'missing' };
  const stamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  if (opts.trustIndex && store.vouched.get(id, stamp) === id) return { status: 'ok', size: st.size };
  let actual: string;
  try {
    actual = await hashStream(file, opts.onBytes);
  } catch (e) {
    return { status: 'unreadable', error: (e as Error).message };
  }
  if (actual === digestOf(id)) {
    store.vouched.set(id, stamp, id);
    return { status: 'ok', size: st.size };
  }
  return { status: 'corrupt', actual, movedTo: await store.quarantine(id) };
}

function hashStream(file: string, onBytes?: (n: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash(HASH_ALGORITHM);
    const s = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    s.on('data', (chunk) => {
      h.update(chunk as Buffer);
      onBytes?.(chunk.length);
    });
    s.on('error', reject);
    s.on('end', () => resolve(h.digest('hex')));
  });
}

/**
 * The local object store under `cache/`: files at `cache/ab/cdef…`, directory manifests at
 * `cache/ab/cdef….dir`. Every object is written to `cache/tmp/`, made read-only and renamed into place, so
 * a crash (even SIGKILL) never leaves a half-written object under its final name. Files are copied in with
 * copy-on-write reflinks where the filesystem supports them, plain copies otherwise; never hardlinks,
 * because an in-place edit of a hardlinked workspace file would silently corrupt the cached object.
 * Beyond the ObjectStore contract it keeps a vouch index (see verify-object.ts) of objects whose bytes
 * are known good. Owns: object layout and IO. Does not own: liveness (gc.ts), workspace checkout
 * (checkout.ts), verification policy (verify-object.ts).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HASH_ALGORITHM } from '../hash/hash-file.js';
import { StateIndex } from '../hash/state-index.js';
import { manifestText, type HashedPath, type ManifestEntry } from '../hash/hash-path.js';
import {
  CACHE_DIR,
  digestOf,
  isObjectId,
  ObjectMismatchError,
  type ObjectId,
  type ObjectStore,
  type PutOptions,
} from './object-store.js';

/** Where corrupt objects are moved (kept for inspection, never served again). */
export const CORRUPT_DIR = '.corrupt';

export class LocalObjectStore implements ObjectStore {
  readonly location: string;
  /** (object id) → stamp of the object file when it was written or last verified. */
  readonly vouched: StateIndex;

  constructor(readonly dir: string) {
    this.location = dir;
    // Inside the store, so exp workdirs (which symlink cache/) share it; inodes make it store-specific.
    this.vouched = new StateIndex(path.join(dir, '.state', 'verified.json'));
  }

  /** The store of the project at `root`. */
  static forProject(root: string): LocalObjectStore {
    return new LocalObjectStore(path.join(root, CACHE_DIR));
  }

  /** Path of the object file for `id`. */
  objectPath(id: ObjectId): string {
    return path.join(this.dir, id.slice(0, 2), id.slice(2));
  }

  async has(id: ObjectId): Promise<boolean> {
    return (await this.stat(id)) !== undefined;
  }

  async hasMany(ids: readonly ObjectId[]): Promise<Set<ObjectId>> {
    // Local stats are cheap and synchronous stats avoid thousands of pending promises.
    return new Set(ids.filter((id) => fs.existsSync(this.objectPath(id))));
  }

  async stat(id: ObjectId): Promise<{ size: number } | undefined> {
    const st = fs.statSync(this.objectPath(id), { throwIfNoEntry: false });
    return st?.isFile() ? { size: st.size } : undefined;
  }

  async get(id: ObjectId): Promise<Readable | undefined> {
    try {
      const fh = await fsp.open(this.objectPath(id), 'r');
      return fh.createReadStream();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async getFile(id: ObjectId, dest: string): Promise<boolean> {
    if (!(await this.has(id))) return false;
    const tmp = `${dest}.xpipe-${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.copyFile(this.objectPath(id), tmp, fs.constants.COPYFILE_FICLONE);
      await fsp.chmod(tmp, 0o644);
      await fsp.rename(tmp, dest);
      return true;
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  async put(id: ObjectId, source: Readable | Buffer, opts: PutOptions = {}): Promise<void> {
    // A source that fails before the pipeline below is attached must reject this put, not crash the process.
    if (!Buffer.isBuffer(source)) source.on('error', () => {});
    if (await this.has(id)) {
      if (!Buffer.isBuffer(source)) source.destroy();
      return;
    }
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    await this.writeViaTemp(id, async (tmp) => {
      const h = crypto.createHash(HASH_ALGORITHM);
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          h.update(chunk);
          cb(null, chunk);
        },
      });
      await pipeline(input, tap, fs.createWriteStream(tmp, { flags: 'wx' }));
      const actual = h.digest('hex');
      if (opts.verify && actual !== digestOf(id)) throw new ObjectMismatchError(id, actual);
      return actual === digestOf(id);
    });
  }

  async putFile(id: ObjectId, src: string, opts: PutOptions = {}): Promise<void> {
    if (opts.verify) return this.put(id, fs.createReadStream(src), opts);
    if (await this.has(id)) return;
    // The caller hashed `src` (a commit): the copy is vouched for as written.
    await this.writeViaTemp(id, async (tmp) => {
      await fsp.copyFile(src, tmp, fs.constants.COPYFILE_FICLONE);
      return true;
    });
  }

  async *list(): AsyncIterable<ObjectId> {
    for (const fan of safeReaddir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const rest of safeReaddir(path.join(this.dir, fan)))
        if (isObjectId(fan + rest)) yield (fan + rest) as ObjectId;
    }
  }

  async delete(id: ObjectId): Promise<void> {
    await fsp.rm(this.objectPath(id), { force: true });
  }

  /** Commits workspace path `abs` whose hash is `hashed` (a file, or a directory with its manifest). */
  async putPath(abs: string, hashed: HashedPath): Promise<void> {
    if (!hashed.manifest) {
      await this.putFile(hashed.hash, abs);
    } else {
      for (const e of hashed.manifest) await this.putFile(e.h, path.join(abs, e.p));
      await this.put(hashed.hash, Buffer.from(manifestText(hashed.manifest)));
    }
  }

  /** Reads a directory manifest object (undefined when absent or unparsable). */
  async readManifest(id: ObjectId): Promise<ManifestEntry[] | undefined> {
    try {
      const rows = JSON.parse(await fsp.readFile(this.objectPath(id), 'utf8')) as [string, ObjectId, number][];
      return rows.map(([p, h, s]) => ({ p, h, s }));
    } catch {
      return undefined;
    }
  }

  /** Every object id `id` stands for: itself and, for a directory, the files its manifest lists. */
  async closure(id: ObjectId): Promise<ObjectId[] | undefined> {
    if (!id.endsWith('.dir')) return [id];
    const manifest = await this.readManifest(id);
    return manifest && [id, ...manifest.map((e) => e.h)];
  }

  /** True when the object and, for a directory, every file it lists are present. */
  async hasComplete(id: ObjectId): Promise<boolean> {
    if (!(await this.has(id))) return false;
    const ids = await this.closure(id);
    return ids !== undefined && (await this.hasMany(ids)).size === new Set(ids).size;
  }

  /** Moves object `id` to `cache/.corrupt/` (never deletes it); returns the new path. */
  async quarantine(id: ObjectId): Promise<string> {
    const dir = path.join(this.dir, CORRUPT_DIR);
    await fsp.mkdir(dir, { recursive: true });
    let dest = path.join(dir, id);
    if (fs.existsSync(dest)) dest = `${dest}.${Date.now()}`;
    await fsp.rename(this.objectPath(id), dest);
    return dest;
  }

  /** Persists the vouch index. Never throws (it is an optimisation). */
  save(): void {
    this.vouched.save();
  }

  /** Writes through `cache/tmp/`, then read-only + rename: the object appears whole or not at all. */
  private async writeViaTemp(id: ObjectId, write: (tmp: string) => Promise<boolean>): Promise<void> {
    const tmpDir = path.join(this.dir, 'tmp');
    const dest = this.objectPath(id);
    await fsp.mkdir(tmpDir, { recursive: true });
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    const tmp = path.join(tmpDir, `${id}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    let vouch: boolean;
    try {
      vouch = await write(tmp);
      await fsp.chmod(tmp, 0o444);
      await fsp.rename(tmp, dest);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    // Bytes known to match the id: record the object file's stamp so restoring it needs no re-hash.
    const st = vouch ? fs.statSync(dest, { throwIfNoEntry: false }) : undefined;
    if (st) this.vouched.set(id, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }, id);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

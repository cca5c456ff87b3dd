/**
 * The content-addressed object store under `cache/`: files at `cache/ab/cdef…`, directory manifests at
 * `cache/ab/cdef….dir`. Objects are written to `cache/tmp/` and renamed into place, so a crash never
 * leaves a half-written object. Workspace copies are made with copy-on-write reflinks where the
 * filesystem supports them and plain copies otherwise; never hardlinks, because an in-place edit of a
 * hardlinked workspace file (or any write as root) would silently corrupt the cached object.
 * Owns: object layout, put/get/has/list/remove. Does not own: which objects are live (gc.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { ContentHash } from '../model/brands.js';
import { manifestText, type HashedPath, type ManifestEntry } from '../hash/hash-path.js';
import { writeFileAtomic } from '../fs/atomic.js';

export const CACHE_DIR = 'cache';

export class ObjectStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, CACHE_DIR);
  }

  /** Path of the object for `hash`. */
  objectPath(hash: ContentHash): string {
    return path.join(this.dir, hash.slice(0, 2), hash.slice(2));
  }

  has(hash: ContentHash): boolean {
    return fs.existsSync(this.objectPath(hash));
  }

  /** True when the object and, for a directory, every file it lists are present. */
  hasComplete(hash: ContentHash): boolean {
    if (!this.has(hash)) return false;
    if (!hash.endsWith('.dir')) return true;
    const manifest = this.readManifest(hash);
    return manifest !== undefined && manifest.every((e) => this.has(e.h));
  }

  /** Stores workspace path `abs` whose hash is `hashed` (a file, or a directory with its manifest). */
  put(abs: string, hashed: HashedPath): void {
    if (!hashed.manifest) {
      this.putFile(abs, hashed.hash);
      return;
    }
    for (const e of hashed.manifest) this.putFile(path.join(abs, e.p), e.h);
    if (!this.has(hashed.hash)) writeFileAtomic(this.objectPath(hashed.hash), manifestText(hashed.manifest));
  }

  /** Reads a directory manifest object. */
  readManifest(hash: ContentHash): ManifestEntry[] | undefined {
    try {
      const rows = JSON.parse(fs.readFileSync(this.objectPath(hash), 'utf8')) as [string, ContentHash, number][];
      return rows.map(([p, h, s]) => ({ p, h, s }));
    } catch {
      return undefined;
    }
  }

  /**
   * Materialises object `hash` at workspace path `abs`, replacing whatever is there. A directory is built
   * next to its destination and renamed into place.
   */
  checkout(hash: ContentHash, abs: string): void {
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.xpipe-${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      if (hash.endsWith('.dir')) {
        const manifest = this.readManifest(hash);
        if (!manifest) throw new Error(`directory object ${hash} is missing from the cache`);
        fs.mkdirSync(tmp);
        for (const e of manifest) {
          const dest = path.join(tmp, e.p);
          fs.mkdirSync(path.dirname(dest), { recursive: true });
          this.copyOut(e.h, dest);
        }
      } else {
        this.copyOut(hash, tmp);
      }
      fs.rmSync(abs, { recursive: true, force: true });
      fs.renameSync(tmp, abs);
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Every object hash in the store (for gc). */
  list(): ContentHash[] {
    const out: ContentHash[] = [];
    for (const fan of safeReaddir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const rest of safeReaddir(path.join(this.dir, fan))) out.push(`${fan}${rest}` as ContentHash);
    }
    return out;
  }

  /** Size in bytes of an object (0 when absent). */
  sizeOf(hash: ContentHash): number {
    return fs.statSync(this.objectPath(hash), { throwIfNoEntry: false })?.size ?? 0;
  }

  remove(hash: ContentHash): void {
    fs.rmSync(this.objectPath(hash), { force: true });
  }

  private putFile(abs: string, hash: ContentHash): void {
    const dest = this.objectPath(hash);
    if (fs.existsSync(dest)) return;
    const tmpDir = path.join(this.dir, 'tmp');
    fs.mkdirSync(tmpDir, { recursive: true });
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = path.join(tmpDir, `${hash}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`);
    try {
      fs.copyFileSync(abs, tmp, fs.constants.COPYFILE_FICLONE);
      fs.chmodSync(tmp, 0o444);
      fs.renameSync(tmp, dest);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  private copyOut(hash: ContentHash, dest: string): void {
    fs.copyFileSync(this.objectPath(hash), dest, fs.constants.COPYFILE_FICLONE);
    fs.chmodSync(dest, 0o644);
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

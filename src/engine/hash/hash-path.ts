/**
 * Hashes workspace paths (files or directories) through the state index.
 * A directory's hash is the hash of its manifest (sorted relative POSIX paths + file hashes) plus `.dir`:
 * content and relative paths only, never mtimes, inodes or permissions, so a fresh clone hashes the same.
 * Owns: walking, the manifest format, per-process memoisation. Does not own: storing objects (cache/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { asContentHash, type ContentHash } from '../model/brands.js';
import { fileHasher, hashBytes, type Hasher } from './hash-file.js';
import { StateIndex } from './state-index.js';

/** One file of a directory manifest. */
export interface ManifestEntry {
  /** POSIX path relative to the directory. */
  p: string;
  h: ContentHash;
  s: number;
}

/** What a path hashed to. `nfiles` and `manifest` only for directories. */
export interface HashedPath {
  hash: ContentHash;
  size: number;
  nfiles?: number;
  manifest?: ManifestEntry[];
}

/** Serialises a manifest; its hash (+ `.dir`) is the directory's hash. */
export function manifestText(manifest: readonly ManifestEntry[]): string {
  return JSON.stringify(manifest.map((e) => [e.p, e.h, e.s]));
}

export function manifestHash(manifest: readonly ManifestEntry[]): ContentHash {
  return asContentHash(`${hashBytes(manifestText(manifest))}.dir`);
}

export class PathHasher {
  private memo = new Map<string, HashedPath | undefined>();
  /** Files actually read (not served by the state index); for tests and the benchmark. */
  filesRead = 0;

  constructor(
    private readonly root: string,
    private readonly state: StateIndex = StateIndex.forProject(root),
    private readonly hasher: Hasher = fileHasher,
  ) {}

  /** Hash of project-relative `rel`, or undefined when it does not exist. */
  hash(rel: string): HashedPath | undefined {
    if (this.memo.has(rel)) return this.memo.get(rel);
    const abs = path.join(this.root, rel);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      this.memo.set(rel, undefined);
      return undefined;
    }
    const result = st.isDirectory() ? this.hashDir(abs, rel) : { hash: this.hashFile(abs, rel, st), size: st.size };
    this.memo.set(rel, result);
    return result;
  }

  /** Forgets memoised hashes at or under `rel` (after a stage rewrote it). */
  invalidate(rel: string): void {
    for (const k of this.memo.keys()) if (k === rel || k.startsWith(rel + '/')) this.memo.delete(k);
  }

  /** Persists the state index. */
  save(): void {
    this.state.save();
  }

  private hashFile(abs: string, key: string, st: fs.Stats): ContentHash {
    const stamp = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    const known = this.state.get(key, stamp);
    if (known) return known;
    const h = this.hasher.hashFile(abs);
    this.filesRead++;
    this.state.set(key, stamp, h);
    return h;
  }

  private hashDir(abs: string, rel: string): HashedPath {
    const manifest: ManifestEntry[] = [];
    let size = 0;
    const walk = (dirAbs: string, prefix: string): void => {
      for (const ent of fs.readdirSync(dirAbs, { withFileTypes: true })) {
        const childAbs = dirAbs + path.sep + ent.name;
        const childRel = prefix === '' ? ent.name : `${prefix}/${ent.name}`;
        let isDir = ent.isDirectory();
        let isFile = ent.isFile();
        if (ent.isSymbolicLink()) {
          const target = fs.statSync(childAbs, { throwIfNoEntry: false });
          isDir = target?.isDirectory() ?? false;
          isFile = target?.isFile() ?? false;
        }
        if (isDir) walk(childAbs, childRel);
        else if (isFile) {
          const st = fs.statSync(childAbs);
          manifest.push({ p: childRel, h: this.hashFile(childAbs, `${rel}/${childRel}`, st), s: st.size });
          size += st.size;
        }
      }
    };
    walk(abs, '');
    manifest.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
    return { hash: manifestHash(manifest), size, nfiles: manifest.length, manifest };
  }
}

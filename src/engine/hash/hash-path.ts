/**
 * Hashes workspace paths (files or directories) through the state index.
 * A directory's hash is the hash of its manifest (sorted relative POSIX paths + file hashes) plus `.dir`:
 * content and relative paths only, never mtimes, inodes or permissions, so a fresh clone hashes the same.
 * Unchanged files are never re-read: single files go through the state index, directories through their
 * stat signature (dir-index.ts). Owns: walking, the manifest format, per-process memoisation.
 * Does not own: storing objects (cache/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { asContentHash, type ContentHash } from '../model/brands.js';
import { fileHasher, hashBytes, type Hasher } from './hash-file.js';
import { StateIndex } from './state-index.js';
import { DirIndex, type FileEntry } from './dir-index.js';

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
    private readonly dirs: DirIndex = DirIndex.forProject(root),
  ) {}

  /**
   * Hash of project-relative `rel`, or undefined when it does not exist. A directory's `manifest` is only
   * filled in with `needManifest` (committing to the cache); otherwise an unchanged directory is answered
   * from its stat signature alone.
   */
  hash(rel: string, opts: { needManifest?: boolean } = {}): HashedPath | undefined {
    const memo = this.memo.get(rel);
    if (memo && (!opts.needManifest || memo.manifest || memo.nfiles === undefined)) return memo;
    if (!memo && this.memo.has(rel)) return undefined;
    const abs = path.join(this.root, rel);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      this.memo.set(rel, undefined);
      return undefined;
    }
    const result = st.isDirectory()
      ? this.hashDir(abs, rel, opts.needManifest ?? false)
      : { hash: this.hashFile(abs, rel, st), size: st.size };
    this.memo.set(rel, result);
    return result;
  }

  /** Forgets memoised hashes at or under `rel` (after a stage rewrote it). */
  invalidate(rel: string): void {
    for (const k of this.memo.keys()) if (k === rel || k.startsWith(rel + '/')) this.memo.delete(k);
  }

  /** Persists the state index and directory summaries. */
  save(): void {
    this.state.save();
    this.dirs.save();
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

  private hashDir(abs: string, rel: string, needManifest: boolean): HashedPath {
    const stamps: { p: string; e: FileEntry }[] = [];
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
          stamps.push({ p: childRel, e: [st.ino, st.size, st.mtimeMs, ''] });
        }
      }
    };
    walk(abs, '');
    stamps.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : 0));
    // The stat signature: equal signatures mean no file was added, removed, renamed or touched.
    let sigText = '';
    for (const s of stamps) sigText += `${s.p}\0${s.e[0]}\0${s.e[1]}\0${s.e[2]}\n`;
    const sig = hashBytes(sigText);
    const summary = this.dirs.summary(rel);
    if (summary && summary.sig === sig && !needManifest)
      return { hash: summary.hash, size: summary.size, nfiles: summary.nfiles };
    const known = this.dirs.files(rel);
    const files: Record<string, FileEntry> = {};
    const manifest: ManifestEntry[] = [];
    let size = 0;
    for (const s of stamps) {
      const old = Object.hasOwn(known, s.p) ? known[s.p] : undefined;
      let h = old && old[0] === s.e[0] && old[1] === s.e[1] && old[2] === s.e[2] ? (old[3] as ContentHash) : undefined;
      if (!h) {
        h = this.hasher.hashFile(path.join(abs, s.p));
        this.filesRead++;
      }
      s.e[3] = h;
      Object.defineProperty(files, s.p, { value: s.e, enumerable: true, writable: true, configurable: true });
      manifest.push({ p: s.p, h, s: s.e[1] });
      size += s.e[1];
    }
    const result = { hash: manifestHash(manifest), size, nfiles: manifest.length, manifest };
    if (!summary || summary.sig !== sig || summary.hash !== result.hash)
      this.dirs.set(rel, { sig, hash: result.hash, size, nfiles: manifest.length }, files);
    return result;
  }
}

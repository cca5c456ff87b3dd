/**
 * The state index: (path, inode, size, mtime) → content hash, so unchanged files are never re-read.
 * Stored as ONE file (`.xpipe/state/index.json`) read once per process and written atomically when dirty.
 * Owns: that file. Does not own: hashing (hash-file.ts) or walking (hash-path.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContentHash } from '../model/brands.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';

type Entry = [ino: number, size: number, mtimeMs: number, hash: string];

/** The stat fields that identify an unchanged file. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

export class StateIndex {
  // A plain object, not a Map: JSON.parse builds it directly, with no second copy of 100k entries.
  private entries: Record<string, Entry> = Object.create(null) as Record<string, Entry>;
  private dirty = false;
  private loaded = false;

  constructor(private readonly file: string) {}

  /** The index of the project at `root`. */
  static forProject(root: string): StateIndex {
    return new StateIndex(path.join(root, '.xpipe', 'state', 'index.json'));
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    try {
      const data = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { v: number; e: Record<string, Entry> };
      if (data.v === 1 && data.e !== null && typeof data.e === 'object') this.entries = data.e;
    } catch {
      // Missing or unreadable index: start empty (it is only a cache of hashes).
    }
  }

  /** The recorded hash of `key` if its stamp is unchanged. */
  get(key: string, stamp: FileStamp): ContentHash | undefined {
    this.load();
    const e = Object.hasOwn(this.entries, key) ? this.entries[key] : undefined;
    if (!e || e[0] !== stamp.ino || e[1] !== stamp.size || e[2] !== stamp.mtimeMs) return undefined;
    return e[3] as ContentHash;
  }

  set(key: string, stamp: FileStamp, hash: ContentHash): void {
    this.load();
    // defineProperty: a file named `__proto__` must not touch the prototype.
    Object.defineProperty(this.entries, key, {
      value: [stamp.ino, stamp.size, stamp.mtimeMs, hash],
      enumerable: true,
      writable: true,
      configurable: true,
    });
    this.dirty = true;
  }

  /** Writes the index if anything changed. Never throws: the index is an optimisation. */
  save(): void {
    if (!this.dirty) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomicSync(this.file, JSON.stringify({ v: 1, e: this.entries }));
      this.dirty = false;
    } catch {
      // Read-only checkout or full disk: hashing still works, just slower next time.
    }
  }
}

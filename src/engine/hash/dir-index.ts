/**
 * Per-directory state: for each hashed directory, a tiny summary file with its *stat signature* (sha1 of
 * every file's relative path, inode, size and mtime) and its content hash, plus a separate file with the
 * per-file (inode, size, mtime) → hash entries. A warm no-op over a 100k-file directory therefore reads one
 * small summary and stats the files; the 100k per-file entries are parsed only when something changed.
 * Files live in `.xpipe/state/dirs/`. Owns: those files. Does not own: walking or hashing (hash-path.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContentHash } from '../model/brands.js';
import { hashBytes } from './hash-file.js';
import { writeFileAtomicSync } from '../../shared/atomic.js';

/** ino, size, mtimeMs, hash. */
export type FileEntry = [number, number, number, string];

export interface DirSummary {
  sig: string;
  hash: ContentHash;
  size: number;
  nfiles: number;
}

export class DirIndex {
  private pending = new Map<string, { summary: DirSummary; files: Record<string, FileEntry> }>();

  constructor(private readonly dir: string) {}

  static forProject(root: string): DirIndex {
    return new DirIndex(path.join(root, '.xpipe', 'state', 'dirs'));
  }

  private base(rel: string): string {
    return path.join(this.dir, hashBytes(rel).slice(0, 20));
  }

  summary(rel: string): DirSummary | undefined {
    return (
      this.pending.get(rel)?.summary ??
      readJson<DirSummary & { rel: string }>(`${this.base(rel)}.sum.json`, (v) => v.rel === rel)
    );
  }

  /** Per-file entries keyed by path relative to the directory (empty when unknown). */
  files(rel: string): Record<string, FileEntry> {
    return (
      this.pending.get(rel)?.files ??
      readJson<{ rel: string; files: Record<string, FileEntry> }>(`${this.base(rel)}.files.json`, (v) => v.rel === rel)
        ?.files ??
      {}
    );
  }

  set(rel: string, summary: DirSummary, files: Record<string, FileEntry>): void {
    this.pending.set(rel, { summary, files });
  }

  /** Writes changed directories (files first, then the summary that vouches for them). Never throws. */
  save(): void {
    for (const [rel, { summary, files }] of this.pending) {
      try {
        writeFileAtomicSync(`${this.base(rel)}.files.json`, JSON.stringify({ rel, files }));
        writeFileAtomicSync(`${this.base(rel)}.sum.json`, JSON.stringify({ rel, ...summary }));
      } catch {
        // Only an optimisation.
      }
    }
    this.pending.clear();
  }
}

function readJson<T>(file: string, valid: (v: T) => boolean): T | undefined {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
    return valid(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

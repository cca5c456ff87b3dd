/**
 * Directories known to be pushed completely, per remote: after a push (or status) has seen a `.dir`
 * manifest and every file it lists on remote R, the next push sends one batched existence check for the
 * manifests and skips the files of those still present, without a request per file (DVC keeps the same
 * memory). Stored in `.xpipe/state/remotes/<sha1 of the remote URL>.json` (git-ignored, per machine).
 * Invalidation: a manifest that is no longer on the remote is forgotten (a wiped or re-pointed remote);
 * only pushes add entries, and a manifest is only ever uploaded after all its files, so a present
 * manifest whose files were deleted one by one behind xpipe's back is the one case it cannot see (fetch
 * then reports those files missing).
 * Owns: that file. Does not own: deciding what to transfer (transfer.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../shared/atomic.js';
import type { ObjectId } from '../cache/object-store.js';

export class CompleteDirs {
  private dirs: Set<string>;
  private dirty = false;

  private constructor(
    private readonly file: string,
    private readonly url: string,
  ) {
    this.dirs = new Set();
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { v: number; url: string; dirs: string[] };
      if (data.v === 1 && data.url === url && Array.isArray(data.dirs)) this.dirs = new Set(data.dirs);
    } catch {
      // Absent or unreadable: remember nothing (it only saves requests).
    }
  }

  /** The memory of remote `url` (its describeRemoteUrl text) in the project at `root`. */
  static forRemote(root: string, url: string): CompleteDirs {
    const key = crypto.createHash('sha1').update(url).digest('hex').slice(0, 16);
    return new CompleteDirs(path.join(root, '.xpipe', 'state', 'remotes', `${key}.json`), url);
  }

  has(id: ObjectId): boolean {
    return this.dirs.has(id);
  }

  add(id: ObjectId): void {
    if (!this.dirs.has(id)) {
      this.dirs.add(id);
      this.dirty = true;
    }
  }

  delete(id: ObjectId): void {
    if (this.dirs.delete(id)) this.dirty = true;
  }

  /** Writes the file when changed. Never throws (it is an optimisation). */
  save(): void {
    if (!this.dirty) return;
    try {
      writeFileAtomicSync(this.file, JSON.stringify({ v: 1, url: this.url, dirs: [...this.dirs].sort() }));
      this.dirty = false;
    } catch {
      // A read-only .xpipe/state only costs requests next time.
    }
  }
}

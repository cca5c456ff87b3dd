/**
 * The run cache: for every successful run, (run key) → the outs it produced, kept per stage under
 * `cache/runs/<stage>/<run key>.json`. Lets `repro` restore outs instead of re-running when the inputs
 * match ANY earlier run (not just the last one). Owns: entry files and pruning. Does not own: objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { StageKey } from '../model/brands.js';
import type { LockedOut } from '../lock/lockfile.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { CACHE_DIR } from './object-store.js';

/** One remembered run. */
export interface RunEntry {
  stage: string;
  key: StageKey;
  /** ISO time of the run, for `gc --keep-runs`. */
  createdAt: string;
  outs: LockedOut[];
}

export class RunCache {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, CACHE_DIR, 'runs');
  }

  private stageDir(stage: string): string {
    return path.join(this.dir, encodeURIComponent(stage));
  }

  get(stage: string, key: StageKey): RunEntry | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.stageDir(stage), `${key}.json`), 'utf8')) as RunEntry;
    } catch {
      return undefined;
    }
  }

  put(entry: RunEntry): void {
    writeFileAtomic(path.join(this.stageDir(entry.stage), `${entry.key}.json`), JSON.stringify(entry, null, 1));
  }

  /** Every entry, grouped by stage, newest first. */
  all(): Map<string, RunEntry[]> {
    const out = new Map<string, RunEntry[]>();
    for (const d of safeReaddir(this.dir)) {
      const entries: RunEntry[] = [];
      for (const f of safeReaddir(path.join(this.dir, d))) {
        if (!f.endsWith('.json')) continue;
        try {
          entries.push(JSON.parse(fs.readFileSync(path.join(this.dir, d, f), 'utf8')) as RunEntry);
        } catch {
          // A corrupt entry is skipped; gc removes it.
        }
      }
      entries.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
      out.set(decodeURIComponent(d), entries);
    }
    return out;
  }

  remove(stage: string, key: StageKey): void {
    fs.rmSync(path.join(this.stageDir(stage), `${key}.json`), { force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

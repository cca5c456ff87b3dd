/**
 * One `repro` (or checkout/gc) per project at a time: `.xpipe/tmp/repro.lock` (git-ignored) holds the owner's pid, created
 * with O_EXCL. A second process waits (polling) or fails at once with --no-wait; a lock whose pid is no
 * longer alive (a killed process) is stale and taken over. Whoever takes the mutex first kills the stage
 * process groups that a dead owner recorded (runner/stage-groups.ts), so nothing of a killed run is still
 * writing into the workspace when the next one starts.
 * Owns: that file. Does not own: what runs under the lock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MutexOptions {
  wait: boolean;
  /** Called once when this process starts waiting for `pid`. */
  onWait?: (pid: number) => void;
  signal?: AbortSignal;
  pollMs?: number;
}

/** A held mutex; release() is idempotent. */
export interface HeldMutex {
  release(): void;
}

export type AcquireResult = { ok: true; mutex: HeldMutex } | { ok: false; heldBy: number };

interface Owner {
  pid: number;
  host: string;
  since: string;
}

export async function acquireProjectMutex(root: string, opts: MutexOptions): Promise<AcquireResult> {
  const file = path.join(root, '.xpipe', 'tmp', 'repro.lock');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      const me: Owner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' });
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.removeListener('exit', release);
        try {
          const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
          if (owner.pid === process.pid) fs.rmSync(file, { force: true });
        } catch {
          // Already gone.
        }
      };
      process.on('exit', release);
      // Always, not only after a takeover: records outlive a lock file removed by hand. Loaded only when
      // there are records (one readdir otherwise): a no-op repro does not pay for the module.
      if (hasEntries(path.join(path.dirname(file), 'stage-groups')))
        await (await import('./runner/stage-groups.js')).killLeftoverGroups(root);
      return { ok: true, mutex: { release } };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(file);
    if (!owner || !isAlive(owner)) {
      // Stale: the owner died without releasing. Remove it only if it is still the same stale file.
      takeOverStale(file, owner);
      await sleep(10);
      continue;
    }
    if (!opts.wait) return { ok: false, heldBy: owner.pid };
    if (!announced) {
      announced = true;
      opts.onWait?.(owner.pid);
    }
    if (opts.signal?.aborted) return { ok: false, heldBy: owner.pid };
    await sleep(opts.pollMs ?? 100);
  }
}

function hasEntries(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

function isAlive(owner: Owner): boolean {
  if (owner.host !== os.hostname()) return true; // Cannot check another machine's pid; assume alive.
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeOverStale(file: string, seen: Owner | undefined): void {
  const now = readOwner(file);
  if (seen && now && now.pid !== seen.pid) return;
  if (!seen) {
    // Unreadable (being written right now, or corrupt). Only remove it if it is older than a second.
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st && Date.now() - st.mtimeMs < 1000) return;
  }
  fs.rmSync(file, { force: true });
}

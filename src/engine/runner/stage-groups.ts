/**
 * The record of running stage process groups, beside the project mutex: one file per group,
 * `.xpipe/tmp/stage-groups/<pgid>.json`, written atomically when a stage starts and removed when it ends.
 * A record left behind means its xpipe died; whoever takes the mutex next kills the groups of dead owners
 * before anything runs (normally the stage's watcher, runner/orphan-guard.ts, has already done so).
 * Pid reuse: a record stores the start time (from /proc, where there is one) of the group leader and of
 * its owner, so a recycled pid is neither taken for a live owner nor killed as a leftover group.
 * Owns: those files and the leftover kill. Does not own: the mutex itself (project-mutex.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface GroupRecord {
  /** Process group id = pid of the stage's first process. */
  pgid: number;
  stage: string;
  /** The xpipe process that started it. */
  owner: number;
  host: string;
  /** Start times in clock ticks since boot (/proc/<pid>/stat field 22); absent without /proc. */
  start?: number;
  ownerStart?: number;
  since: string;
}

/** Also known to project-mutex.ts, which looks into it before loading this module. */
export function groupsDir(root: string): string {
  return path.join(root, '.xpipe', 'tmp', 'stage-groups');
}

/** Records a running stage's group; returns the function that forgets it. `owner` is for tests simulating a dead xpipe. */
export function recordGroup(root: string, group: { pgid: number; stage: string }, owner = process.pid): () => void {
  const dir = groupsDir(root);
  const file = path.join(dir, `${group.pgid}.json`);
  const record: GroupRecord = {
    ...group,
    owner,
    host: os.hostname(),
    start: startTime(group.pgid),
    ownerStart: startTime(owner),
    since: new Date().toISOString(),
  };
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, file);
  return () => fs.rmSync(file, { force: true });
}

/**
 * Kills (SIGKILL) the recorded groups whose owner is dead and waits until their members are gone (up to
 * `waitMs`), then removes the records. Call with the project mutex held. Returns the groups it killed.
 */
export async function killLeftoverGroups(root: string, waitMs = 2000): Promise<number[]> {
  const dir = groupsDir(root);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return []; // No record was ever written: the common case, kept to one syscall.
  }
  const killed: number[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if (!name.endsWith('.json')) {
      // A temp file of a writer that died mid-write.
      if (!isAlive(Number(name.split('.').at(-2)))) fs.rmSync(file, { force: true });
      continue;
    }
    const record = readRecord(file);
    if (record && record.host !== os.hostname()) continue; // Another machine's: cannot judge its pids.
    if (record && isAlive(record.owner, record.ownerStart)) continue;
    if (record && isOurGroup(record) && killGroupNow(record.pgid)) killed.push(record.pgid);
    fs.rmSync(file, { force: true });
  }
  const end = Date.now() + waitMs;
  while (killed.some(hasLiveMembers) && Date.now() < end) await sleep(20);
  return killed;
}

function readRecord(file: string): GroupRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as GroupRecord;
    return Number.isInteger(r.pgid) && r.pgid > 1 && Number.isInteger(r.owner) ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Is `pgid` still the recorded group? If its leader lives with another start time, the pid was reused (so
 * the old group is empty: Linux keeps a pid number allocated while any process uses it as its group id).
 * If the leader is gone, whatever is left in the group is ours.
 */
function isOurGroup(r: GroupRecord): boolean {
  const start = startTime(r.pgid);
  return start === undefined || r.start === undefined || start === r.start;
}

function killGroupNow(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false; // ESRCH: already gone.
  }
}

function isAlive(pid: number, start?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = start === undefined ? undefined : startTime(pid);
  return now === undefined || now === start;
}

/** A group with only zombies (an init that does not reap) counts as gone. */
function hasLiveMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return true; // No /proc: kill(-pgid, 0) is all we know.
  }
  return pids.some((pid) => {
    const f = procStat(Number(pid));
    return f !== undefined && f[0] !== 'Z' && Number(f[2]) === pgid;
  });
}

/** Start time of a process in clock ticks since boot, or undefined (no such process, or no /proc). */
export function startTime(pid: number): number | undefined {
  const f = procStat(pid);
  return f === undefined ? undefined : Number(f[19]);
}

/** Fields of /proc/<pid>/stat after the command name (state is [0], pgrp [2], starttime [19]). */
function procStat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself contain spaces or parentheses.
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Starts a stage's process so that it cannot outlive xpipe. The stage runs in its own process group
 * (a new session) under a tiny POSIX-sh watcher that lives in the same group and holds the read end of a
 * pipe whose write end only xpipe has. When xpipe dies by any signal (SIGKILL included) the kernel closes
 * its end, the watcher reads EOF and kills the whole group: SIGTERM, then SIGKILL after GRACE_S. The
 * watcher needs neither xpipe nor the stage's event loop (a stage blocked in synchronous code still dies),
 * and costs one `sh` fork per stage instead of a second Node process (~40 ms).
 * When xpipe is done with a stage it either writes one line (the watcher exits quietly: leftovers of a
 * finished stage are treated as today) or, after a cancellation, closes the pipe (the watcher makes sure
 * the whole group is gone, even members that ignore SIGTERM).
 * The group is also recorded under .xpipe/tmp/ (runner/stage-groups.ts) for a stale-mutex takeover.
 * Owns: the watcher script and the pipe protocol. Does not own: what the stage runs, or its outcome.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';
import { recordGroup } from './stage-groups.js';

/** Seconds between the watcher's SIGTERM and SIGKILL; with pipe EOF being immediate, the group is gone within ~1 s. */
const GRACE_S = 1;

/** fd of the watch pipe in the stage's first process; the IPC channel of a module stage, if any, is fd 4. */
const WATCH_FD = 3;

// `$0` is a label; `"$@"` is the stage's argv. The watcher ignores the signals it sends to its own group
// (`kill 0`), closes every stream it inherited except the pipe (the IPC channel and stdout/stderr must
// close when the stage exits), and `exec 3<&-` keeps the pipe out of the stage itself.
const WATCHER_SCRIPT = `{ trap '' INT TERM HUP; if read -r _ <&${WATCH_FD}; then exit 0; fi; kill -TERM 0; sleep ${GRACE_S}; kill -KILL 0; } </dev/null >/dev/null 2>&1 4>&- &
exec ${WATCH_FD}<&- "$@"`;

export interface GuardedSpawn {
  /** argv[0] is the program (PATH lookup). POSIX only, like the process groups themselves. */
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Give the stage a Node IPC channel (a module stage host). */
  ipc?: boolean;
  /** Project root and stage name, to record the process group. */
  root: string;
  stage: string;
}

export interface GuardedChild {
  child: ChildProcess;
  /**
   * Call once the stage's first process has exited. `cancelled`: kill what is left of its group (the
   * watcher's SIGTERM/SIGKILL); otherwise leave it. Idempotent.
   */
  release: (cancelled: boolean) => void;
}

export function spawnGuarded(opts: GuardedSpawn): GuardedChild {
  const [file, ...args] = opts.argv as [string, ...string[]];
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'pipe', ...(opts.ipc ? ['ipc' as const] : [])];
  // detached: setsid(), so the stage's group is its own and a terminal's Ctrl-C reaches xpipe first.
  const child = spawn('/bin/sh', ['-c', WATCHER_SCRIPT, 'xpipe-stage', file, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio,
    detached: true,
    serialization: 'advanced',
  });
  const pipe = child.stdio[WATCH_FD] as Socket | null;
  // A watcher that is already gone makes the write fail with EPIPE: nothing left to guard.
  pipe?.on('error', () => {});
  const forget = child.pid !== undefined ? recordGroup(opts.root, { pgid: child.pid, stage: opts.stage }) : () => {};
  let released = false;
  return {
    child,
    release(cancelled) {
      if (released) return;
      released = true;
      if (cancelled) pipe?.destroy();
      else pipe?.end('\n');
      forget();
    },
  };
}

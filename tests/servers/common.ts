// Shared plumbing for the real test servers (sshd, Swift S3, Slurm): package checks with an apt hint,
// free loopback ports, daemons in their own process groups, readiness polling with log tails, and a
// serialisable ServerState so any process (vitest teardown, the watchdog, the CLI) can stop a server.
// Not here: anything specific to one server (see sshd.ts, swift.ts, slurm.ts).
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export type ServerKind = 'sshd' | 'swift-s3' | 'slurm';

/** Everything needed to stop a server from another process: its temp dir, process groups, mounts. */
export interface ServerState {
  kind: ServerKind;
  dir: string;
  /** Leaders of the daemons' process groups (each daemon is spawned detached). */
  pgids: number[];
  /** Loop mounts to undo (Swift on a filesystem without user xattrs). */
  mounts: string[];
}

export interface ServerHandle<Info> {
  info: Info;
  state: ServerState;
  stop(): Promise<void>;
}

/** Opt-out for developer machines without the packages: `XPIPE_TEST_SERVERS=skip`. CI never sets it. */
export function serverTestsSkipped(): boolean {
  return process.env.XPIPE_TEST_SERVERS === 'skip';
}

export class ServerUnavailable extends Error {}

/** Fails with the apt packages to install when any of the files (absolute paths → package) is missing. */
export function requireBinaries(kind: ServerKind, needs: Record<string, string>): void {
  const missing = Object.entries(needs).filter(([bin]) => !isInstalled(bin));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))].join(' ');
  throw new ServerUnavailable(
    `The ${kind} test server needs ${missing.map(([b]) => b).join(', ')}, which is not installed. ` +
      `Install the Debian packages with \`apt-get install -y --no-install-recommends ${pkgs}\` ` +
      `(.ci/run does this), or on a developer machine without them set XPIPE_TEST_SERVERS=skip to skip ` +
      `the tests that need real servers.`,
  );
}

export function requireRoot(kind: ServerKind, why: string): void {
  if (process.getuid?.() === 0) return;
  throw new ServerUnavailable(`The ${kind} test server must be started as root: ${why}.`);
}

function isInstalled(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export function makeServerDir(kind: ServerKind): string {
  // Short names: sun_path of unix sockets (munge, slurmd) is limited to 107 bytes.
  return fs.mkdtempSync(path.join(os.tmpdir(), `xps-${kind}-`));
}

/** `n` distinct free loopback ports (all held open together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', () => resolve());
      });
      servers.push(s);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export interface RunOutput {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its stderr when it exits non-zero. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<RunOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Starts a daemon in its own process group with stdout+stderr appended to `logFile`; returns its pid. */
export function spawnDaemon(
  cmd: string,
  args: string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; cwd?: string },
): number {
  const fd = fs.openSync(opts.logFile, 'a');
  try {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
    child.on('error', () => {}); // reported through readiness checks and the log
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true; on timeout throws naming `what` with the tails of `logs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  opts: { timeoutMs: number; logs?: string[]; intervalMs?: number; pids?: number[] },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = (e as Error).message;
    }
    const dead = (opts.pids ?? []).filter((p) => !alive(p));
    if (dead.length > 0 || Date.now() > deadline) {
      const why = dead.length > 0 ? `a daemon exited (pid ${dead.join(', ')})` : `timed out after ${opts.timeoutMs} ms`;
      throw new Error(`${what}: ${why}.${lastError ? ` Last error: ${lastError}` : ''}\n${logTails(opts.logs ?? [])}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

export function logTails(files: string[], lines = 15): string {
  return files
    .filter((f) => fs.existsSync(f))
    .map(
      (f) =>
        `--- ${f} (last ${lines} lines)\n${fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .slice(-lines - 1)
          .join('\n')}`,
    )
    .join('\n');
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** Stops a server: SIGTERM to each process group, SIGKILL after `graceMs`, then unmounts and removes its dir. */
export async function stopServer(state: ServerState, graceMs = 5_000): Promise<void> {
  signalGroups(state.pgids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (state.pgids.some(groupAlive) && Date.now() < deadline) await sleep(50);
  signalGroups(state.pgids.filter(groupAlive), 'SIGKILL');
  while (state.pgids.some(groupAlive)) await sleep(20);
  for (const m of state.mounts) await run('/usr/bin/umount', ['-l', m]).catch(() => {});
  fs.rmSync(state.dir, { recursive: true, force: true });
}

function signalGroups(pgids: number[], sig: NodeJS.Signals): void {
  for (const pg of pgids) {
    try {
      process.kill(-pg, sig);
    } catch {
      // already gone
    }
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts a server with `attempt`, retrying with fresh ports when it fails: another process may grab a
 * port between freePorts() and the daemon's bind. Each failed attempt is stopped and cleaned up.
 */
export async function withRetries<T>(attempt: (cleanup: ServerState[]) => Promise<T>, tries = 3): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    const started: ServerState[] = [];
    try {
      return await attempt(started);
    } catch (e) {
      last = e;
      for (const s of started) await stopServer(s, 1_000);
      if (
        e instanceof ServerUnavailable ||
        !/address already in use|EADDRINUSE|could not bind|cannot bind/i.test(String((e as Error).message))
      )
        break;
    }
  }
  throw last;
}

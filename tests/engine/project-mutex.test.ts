// The project mutex against real holder processes: a second acquirer is refused (or waits) naming the
// holder's pid, the lock goes away when its holder exits, a killed holder's lock is taken over, and what
// cannot be checked (another host, a file being written) is never taken over.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acquireProjectMutex } from '../../src/engine/project-mutex.js';
import { printStartError } from '../../src/cli/commands/shared.js';
import type { CommandIO } from '../../src/cli/commands/types.js';
import { REPO_ROOT } from '../helpers/project-rig.js';
import { until } from './engine-rig.js';

const MUTEX_URL = pathToFileURL(path.join(REPO_ROOT, 'src', 'engine', 'project-mutex.ts')).href;

// Takes the mutex of the project in argv[2], says `held`, and exits (without calling release) when its
// stdin closes; SIGKILL makes it die without any exit handler.
const HOLDER = `
const { acquireProjectMutex } = await import(${JSON.stringify(MUTEX_URL)});
const m = await acquireProjectMutex(process.argv[1], { wait: false });
if (!m.ok) process.exit(3);
process.stdout.write('held\\n');
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

function tempRoot(): { root: string; lockFile: string } & Disposable {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-mutex-'));
  return {
    root,
    lockFile: path.join(root, '.xpipe', 'tmp', 'repro.lock'),
    [Symbol.dispose]: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** Starts a holder process and resolves once it holds the mutex. */
async function holder(root: string): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', HOLDER, root], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('held')) break;
  }
  if (!out.includes('held') || child.pid === undefined) throw new Error(`holder did not take the mutex (${out})`);
  return child as ChildProcess & { pid: number };
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid as number;
}

const owner = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number };

describe('project mutex', () => {
  it('refuses a second acquirer with --no-wait naming the holder pid; the lock goes when the holder exits', async () => {
    using t = tempRoot();
    const child = await holder(t.root);
    try {
      expect(await acquireProjectMutex(t.root, { wait: false })).toEqual({ ok: false, heldBy: child.pid });
      let stderr = '';
      const io = { stderr: { write: (s: string) => (stderr += s) } } as unknown as CommandIO;
      expect(printStartError(io, { kind: 'busy', pid: child.pid })).toBe(1);
      expect(stderr).toBe(
        `error: another xpipe process (pid ${child.pid}) is working in this project and --no-wait was given. Wait for it to finish, or run without --no-wait to queue behind it.\n`,
      );
      // The holder exits without calling release(): its exit hook removes the lock.
      child.stdin?.end();
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
      expect(fs.existsSync(t.lockFile)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('waits for a live holder, announcing it once, and takes the mutex when the holder is gone', async () => {
    using t = tempRoot();
    const child = await holder(t.root);
    const announced: number[] = [];
    const waiting = acquireProjectMutex(t.root, { wait: true, pollMs: 10, onWait: (pid) => announced.push(pid) });
    await until(() => announced.length > 0, 'the waiter to announce the holder');
    // Let it poll several times while the holder lives: it must still have announced only once.
    await new Promise((r) => setTimeout(r, 150));
    child.stdin?.end();
    const r = await waiting;
    expect(r.ok).toBe(true);
    expect(announced).toEqual([child.pid]);
    expect(owner(t.lockFile).pid).toBe(process.pid);
    if (r.ok) {
      r.mutex.release();
      r.mutex.release();
    }
    expect(fs.existsSync(t.lockFile)).toBe(false);
  });

  it('takes over the lock of a killed holder (its pid is no longer alive)', async () => {
    using t = tempRoot();
    const child = await holder(t.root);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(owner(t.lockFile).pid).toBe(child.pid);
    const r = await acquireProjectMutex(t.root, { wait: false });
    expect(r.ok).toBe(true);
    expect(owner(t.lockFile).pid).toBe(process.pid);
    if (r.ok) r.mutex.release();
  });

  it("never takes over another host's lock, whose pid cannot be checked from here", async () => {
    using t = tempRoot();
    const pid = await deadPid();
    fs.mkdirSync(path.dirname(t.lockFile), { recursive: true });
    fs.writeFileSync(t.lockFile, JSON.stringify({ pid, host: `not-${os.hostname()}`, since: '' }));
    expect(await acquireProjectMutex(t.root, { wait: false })).toEqual({ ok: false, heldBy: pid });
  });

  it('leaves an unreadable lock alone while it is fresh (being written), takes it over once it is a second old', async () => {
    using t = tempRoot();
    fs.mkdirSync(path.dirname(t.lockFile), { recursive: true });
    fs.writeFileSync(t.lockFile, '{"pid": 12');
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(t.lockFile, old, old);
    const r1 = await acquireProjectMutex(t.root, { wait: false });
    expect(r1.ok).toBe(true);
    if (r1.ok) r1.mutex.release();

    fs.writeFileSync(t.lockFile, '{"pid": 12');
    const written = fs.statSync(t.lockFile).mtimeMs;
    const r2 = await acquireProjectMutex(t.root, { wait: false });
    expect(r2.ok).toBe(true);
    expect(Date.now() - written).toBeGreaterThanOrEqual(1000);
    if (r2.ok) r2.mutex.release();
  });

  it('stops waiting when the signal is aborted', async () => {
    using t = tempRoot();
    const held = await acquireProjectMutex(t.root, { wait: false });
    expect(held.ok).toBe(true);
    const abort = new AbortController();
    const r = await acquireProjectMutex(t.root, {
      wait: true,
      pollMs: 10,
      signal: abort.signal,
      onWait: () => abort.abort(),
    });
    expect(r).toEqual({ ok: false, heldBy: process.pid });
    if (held.ok) held.mutex.release();
  });
});

// End-to-end: no stage process outlives a killed xpipe. SIGKILL mid-stage ends every process of a cmd
// stage (its shell, a backgrounded grandchild, one that ignores SIGTERM) and of a module stage (its host,
// blocked in synchronous code, and a child it spawned) within 2 s, and the next repro runs cleanly.
// A stale mutex's takeover kills a recorded group that is still alive, but not a recycled pid.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { Project, STAGE_API_URL, stagesWith } from '../helpers/project-rig.js';
import { isRunning } from '../helpers/process-state.js';
import { recordGroup, startTime } from '../../src/engine/runner/stage-groups.js';

// Idles forever after writing its pid to pids/NAME; with a second argument it ignores SIGTERM.
const CHILD = `import fs from 'node:fs';
const [name, stubborn] = process.argv.slice(2);
if (stubborn) process.on('SIGTERM', () => {});
fs.mkdirSync('pids', { recursive: true });
fs.writeFileSync('pids/' + name + '.tmp', String(process.pid));
fs.renameSync('pids/' + name + '.tmp', 'pids/' + name);
setInterval(() => {}, 1000);
`;

const PIPELINE = `stages:
  shell:
    cmd: |-
      echo run >> shell.count
      if [ ! -f release ]; then
        mkdir -p pids && echo $$ > pids/shell.tmp && mv pids/shell.tmp pids/shell
        sleep 1000 &
        echo $! > pids/sleep.tmp && mv pids/sleep.tmp pids/sleep
        node child.mjs shell-child stubborn &
        wait
      fi
      echo ok > shell.txt
    outs: [shell.txt]
  mod:
    module: mod.ts
    outs: [mod.txt]
`;

// Spawns a child, then blocks its event loop for good: neither its SIGTERM handler nor an IPC
// 'disconnect' handler can ever run, so only a SIGKILL from outside ends it.
const MODULE = `import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { defineStage } from '${STAGE_API_URL}';
export default defineStage({
  async run(ctx) {
    fs.appendFileSync(ctx.path('mod.count'), 'run\\n');
    if (!fs.existsSync(ctx.path('release'))) {
      spawn(process.execPath, ['child.mjs', 'mod-child', 'stubborn'], { stdio: 'ignore' });
      fs.mkdirSync(ctx.path('pids'), { recursive: true });
      fs.writeFileSync(ctx.path('pids/host.tmp'), String(process.pid));
      fs.renameSync(ctx.path('pids/host.tmp'), ctx.path('pids/host'));
      while (!fs.existsSync(ctx.path('pids/mod-child'))) await new Promise((r) => setTimeout(r, 20));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    fs.writeFileSync(ctx.path('mod.txt'), 'ok\\n');
  },
});
`;

async function waitUntil(done: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

let project: Project;
const strays: ChildProcess[] = [];
afterEach(() => {
  for (const c of strays.splice(0)) c.kill('SIGKILL');
  project?.dispose();
});

describe('no orphan processes', () => {
  it('SIGKILL of xpipe mid-stage ends every process of the running stages within 2 s; the next repro is clean', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE, 'mod.ts': MODULE, 'child.mjs': CHILD });
    const run = project.spawn(['repro', '-j', '2']);
    const names = ['shell', 'sleep', 'shell-child', 'host', 'mod-child'];
    await Promise.all(names.map((n) => project.waitFor(`pids/${n}`)));
    const pids = new Map(names.map((n) => [n, Number(project.read(`pids/${n}`))]));
    for (const pid of pids.values()) expect(pid).toBeGreaterThan(1);
    expect([...pids].filter(([, pid]) => !isRunning(pid))).toEqual([]);

    run.kill('SIGKILL');
    const killedAt = Date.now();
    await run;
    await waitUntil(() => [...pids.values()].every((pid) => !isRunning(pid)), 2000 - (Date.now() - killedAt));
    expect([...pids].filter(([, pid]) => isRunning(pid)).map(([name]) => name)).toEqual([]);

    project.write('release', '');
    const next = await project.run(['repro', '--json']);
    expect(next.code).toBe(0);
    expect(stagesWith(next.events, 'ran').sort()).toEqual(['mod', 'shell']);
    expect(project.count('shell.count')).toBe(2);
    expect(project.count('mod.count')).toBe(2);
    const lock = project.read('pipeline.lock');
    expect(lock).toContain('shell.txt');
    expect(lock).toContain('mod.txt');
    expect(project.exists('.xpipe/tmp/repro.lock')).toBe(false);
    expect(fs.readdirSync(project.abs('.xpipe/tmp/stage-groups'))).toEqual([]);
  });

  it('Ctrl-C cancels as before (exit 130, nothing committed) and a grandchild that ignores SIGTERM dies too', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE, 'mod.ts': MODULE, 'child.mjs': CHILD });
    const run = project.spawn(['repro', 'shell']);
    await Promise.all(['shell', 'sleep', 'shell-child'].map((n) => project.waitFor(`pids/${n}`)));
    const pids = ['shell', 'sleep', 'shell-child'].map((n) => Number(project.read(`pids/${n}`)));
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toContain('cancelled shell');
    await waitUntil(() => pids.every((pid) => !isRunning(pid)), 2000);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(project.exists('pipeline.lock')).toBe(false);
  });

  describe.skipIf(!fs.existsSync('/proc/self/stat'))('takeover of a stale mutex', () => {
    const DEAD = 2 ** 22 + 4321; // Above the default pid_max: never a live process.

    /** A process group of our own, recorded as a killed xpipe would have left it. */
    function leftoverGroup(start?: number): ChildProcess {
      const victim = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
      strays.push(victim);
      const pgid = victim.pid as number;
      recordGroup(project.dir, { pgid, stage: 'gen' }, DEAD);
      if (start !== undefined) {
        const file = project.abs(`.xpipe/tmp/stage-groups/${pgid}.json`);
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), start }));
      }
      fs.writeFileSync(
        project.abs('.xpipe/tmp/repro.lock'),
        JSON.stringify({ pid: DEAD, host: os.hostname(), since: '' }),
      );
      return victim;
    }

    it('kills a recorded group that is still alive before any stage runs', async () => {
      project = Project.create();
      const victim = leftoverGroup();
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        victim.once('exit', (_code, signal) => resolve(signal)),
      );
      // The stage records whether the leftover was still running when it started.
      project.write(
        'pipeline.yaml',
        `stages:\n  gen:\n    cmd: (cut -d' ' -f3 /proc/${victim.pid}/stat 2>/dev/null || echo gone) > state.txt\n    outs: [state.txt]\n`,
      );
      const r = await project.run(['repro', '--no-wait']);
      expect(r.code).toBe(0);
      expect(['gone', 'Z']).toContain(project.read('state.txt').trim());
      expect(await exited).toBe('SIGKILL');
      expect(fs.readdirSync(project.abs('.xpipe/tmp/stage-groups'))).toEqual([]);
    });

    it('leaves a group alone whose leader is a different process with the recorded pid (pid reuse)', async () => {
      project = Project.create({ 'pipeline.yaml': 'stages:\n  gen:\n    cmd: echo ok > o.txt\n    outs: [o.txt]\n' });
      const victim = leftoverGroup(-1);
      await waitUntil(() => startTime(victim.pid as number) !== undefined, 2000);
      const r = await project.run(['repro', '--no-wait']);
      expect(r.code).toBe(0);
      expect(isRunning(victim.pid as number)).toBe(true);
      expect(fs.readdirSync(project.abs('.xpipe/tmp/stage-groups'))).toEqual([]);
    });
  });
});

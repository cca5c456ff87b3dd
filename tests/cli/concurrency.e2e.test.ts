// End-to-end: parallel branches overlap (file barriers, no sleeps), Ctrl-C leaves a consistent state,
// and a second repro in the same project waits (or fails with --no-wait).
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { BARRIER_SCRIPT, Project, STAGE_API_URL, stagesWith } from '../helpers/project-rig.js';
import { isRunning } from '../helpers/process-state.js';

const PIPELINE = `stages:
  left:
    cmd: node "${BARRIER_SCRIPT}" left left.txt
    outs: [left.txt]
  right:
    cmd: node "${BARRIER_SCRIPT}" right right.txt
    outs: [right.txt]
  join:
    cmd: cat left.txt right.txt > join.txt
    deps: [left.txt, right.txt]
    outs: [join.txt]
`;

let project: Project;
afterEach(() => project?.dispose());

describe('concurrency', () => {
  it('runs independent branches at the same time', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE });
    const run = project.spawn(['repro', '-j', '2', '--json']);
    // Both branches must have started before either is released: proof of overlap.
    await Promise.all([project.waitFor('barrier/left.started'), project.waitFor('barrier/right.started')]);
    expect(project.exists('counter')).toBe(false);
    project.write('barrier/left.release', '');
    project.write('barrier/right.release', '');
    const r = await run;
    expect(r.exitCode).toBe(0);
    expect(project.read('join.txt')).toBe('left output\nright output\n');
  });

  it('Ctrl-C kills the running stage and leaves lock and cache consistent; the next repro resumes', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE });
    project.write('barrier/left.release', '');
    const run = project.spawn(['repro', '-j', '1']);
    await project.waitFor('barrier/right.started');
    const stagePid = Number(project.read('barrier/right.started'));
    await project.waitFor('pipeline.lock'); // left finished and committed
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toContain('cancelled right');
    const deadline = Date.now() + 10_000;
    while (isRunning(stagePid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(isRunning(stagePid)).toBe(false);
    const lock = project.read('pipeline.lock');
    expect(lock).toContain('left.txt');
    expect(lock).not.toContain('right.txt');
    expect(project.exists('.xpipe/tmp/repro.lock')).toBe(false);

    project.write('barrier/right.release', '');
    const resumed = await project.run(['repro', '--json']);
    expect(resumed.code).toBe(0);
    expect(stagesWith(resumed.events, 'ran')).toEqual(['right', 'join']);
    expect(stagesWith(resumed.events, 'up-to-date')).toEqual(['left']);
  });

  it('Ctrl-C aborts a module stage (ctx.signal) and kills its process; nothing is committed', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  slow:\n    module: slow.ts\n    outs: [o.txt]\n',
      'slow.ts': `import fs from 'node:fs';
import { defineStage } from '${STAGE_API_URL}';
export default defineStage({
  async run(ctx) {
    fs.writeFileSync(ctx.path('started'), String(process.pid));
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    fs.writeFileSync(ctx.path('aborted'), 'yes');
    await new Promise(() => {}); // never finishes by itself: the runner must kill it
  },
});
`,
    });
    const run = project.spawn(['repro']);
    await project.waitFor('started');
    const pid = Number(project.read('started'));
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode).toBe(130);
    expect(String(r.stderr)).toContain('cancelled slow');
    await project.waitFor('aborted');
    const deadline = Date.now() + 10_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(isRunning(pid)).toBe(false);
    expect(project.exists('pipeline.lock')).toBe(false);
  });

  it('a second repro waits for the first; --no-wait fails at once; a stale mutex is taken over', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE });
    const first = project.spawn(['repro', '-j', '2']);
    await project.waitFor('barrier/left.started');
    const noWait = await project.run(['repro', '--no-wait']);
    expect(noWait.code).toBe(1);
    expect(noWait.stderr).toContain('is working in this project and --no-wait was given');
    const second = project.spawn(['repro', '--json']);
    let secondOut = '';
    second.stdout?.on('data', (c: Buffer) => (secondOut += c.toString()));
    const deadline = Date.now() + 20_000;
    while (!secondOut.includes('waiting-for-lock') && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 20));
    project.write('barrier/left.release', '');
    project.write('barrier/right.release', '');
    const [a, b] = await Promise.all([first, second]);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    const events = String(b.stdout)
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ reason: 'waiting-for-lock' });
    expect(stagesWith(events, 'up-to-date')).toEqual(['left', 'right', 'join']);
    expect(project.count()).toBe(2);

    // A mutex left by a dead process is stale.
    fs.mkdirSync(project.abs('.xpipe/tmp'), { recursive: true });
    fs.writeFileSync(
      project.abs('.xpipe/tmp/repro.lock'),
      JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: '' }),
    );
    const third = await project.run(['repro', '--no-wait']);
    expect(third.code).toBe(0);
  });
});

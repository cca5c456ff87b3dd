// End-to-end: the real CLI on a 3-stage chain (a -> b -> c) of shell stages that append to `counter`.
import { afterEach, describe, expect, it } from 'vitest';
import { Project, stagesWith } from '../helpers/project-rig.js';

const PIPELINE = `stages:
  a:
    cmd: echo a >> counter && cat src/in.txt > a.txt
    deps: [src/in.txt]
    params: [a]
    outs: [a.txt]
  b:
    cmd: |
      echo b >> counter
      cat a.txt > b.txt
      echo lr=$XPIPE_STAGE >> b.txt
    deps: [a.txt]
    params: [b.lr]
    outs: [b.txt]
  c:
    cmd: echo c >> counter && cat b.txt > c.txt
    deps: [b.txt]
    outs: [c.txt]
`;
const PARAMS = 'a: {n: 1}\nb: {lr: 0.1, other: 1}\n';

let project: Project;
afterEach(() => project?.dispose());

function setup(): Project {
  project = Project.create({ 'pipeline.yaml': PIPELINE, 'params.yaml': PARAMS, 'src/in.txt': 'hello\n' });
  return project;
}

/** Stage names appended to the counter since `before` lines. */
function ranSince(p: Project, before: number): string[] {
  return p.exists('counter') ? p.read('counter').split('\n').filter(Boolean).slice(before) : [];
}

describe('xpipe repro', () => {
  it('runs everything first, nothing the second time, and only the downstream of an edited dep', async () => {
    const p = setup();
    const first = await p.run(['repro', '--json']);
    expect(first.code).toBe(0);
    expect(stagesWith(first.events, 'ran')).toEqual(['a', 'b', 'c']);
    expect(p.read('c.txt')).toBe('hello\nlr=b\n');
    const lock = p.read('pipeline.lock');
    expect(lock).toContain('schema: xpipe-lock/1');

    const second = await p.run(['repro', '--json']);
    expect(stagesWith(second.events, 'up-to-date')).toEqual(['a', 'b', 'c']);
    expect(p.count()).toBe(3);
    expect(p.read('pipeline.lock')).toBe(lock);

    p.write('src/in.txt', 'changed\n');
    const third = await p.run(['repro']);
    expect(third.stdout).toContain('running a: dep src/in.txt changed');
    expect(third.stdout).toContain('running b: dep a.txt changed');
    expect(ranSince(p, 3)).toEqual(['a', 'b', 'c']);
  });

  it('ignores an unrelated param and re-runs a stage whose param changed, with its downstream', async () => {
    const p = setup();
    await p.run(['repro']);
    p.write('params.yaml', 'a: {n: 1}\nb: {lr: 0.1, other: 2}\n');
    const unrelated = await p.run(['repro', '--json']);
    expect(stagesWith(unrelated.events, 'running')).toEqual([]);
    expect(p.count()).toBe(3);

    p.write('params.yaml', 'a: {n: 1}\nb: {lr: 0.01, other: 2}\n');
    const status = await p.run(['status']);
    expect(status.stdout).toBe('b: stale\n    param b.lr changed 0.1 -> 0.01\n');
    const used = await p.run(['repro']);
    expect(used.stdout).toContain('running b: param b.lr changed 0.1 -> 0.01');
    // b's output does not depend on lr, so c is up to date afterwards.
    expect(used.stdout).toContain('skipped c: up to date');
    expect(ranSince(p, 3)).toEqual(['b']);
  });

  it('--force on a middle stage runs only it (not upstream), and downstream only if its outs changed', async () => {
    const p = setup();
    await p.run(['repro']);
    const forced = await p.run(['repro', 'b', '--force', '--downstream', '--json']);
    expect(forced.code).toBe(0);
    expect(stagesWith(forced.events, 'ran')).toEqual(['b']);
    expect(stagesWith(forced.events, 'up-to-date')).toEqual(['a', 'c']);
    expect(ranSince(p, 3)).toEqual(['b']);
  });

  it('restores from the run cache when a param flips back, without executing', async () => {
    const p = setup();
    p.write(
      'pipeline.yaml',
      PIPELINE.replace('echo lr=$XPIPE_STAGE >> b.txt', 'echo lr=$(grep lr params.yaml) >> b.txt'),
    );
    await p.run(['repro']);
    p.write('params.yaml', 'a: {n: 1}\nb: {lr: 0.5, other: 1}\n');
    await p.run(['repro']);
    expect(ranSince(p, 3)).toEqual(['b', 'c']);
    const c05 = p.read('c.txt');
    p.write('params.yaml', PARAMS);
    const back = await p.run(['repro']);
    expect(back.stdout).toContain('restored b from run cache');
    expect(back.stdout).toContain('restored c from run cache');
    expect(p.count()).toBe(5);
    expect(p.read('c.txt')).toContain('lr: 0.1');
    const noCache = await p.run(['repro', '--no-run-cache', '--force', 'b', '--json']);
    expect(stagesWith(noCache.events, 'ran')).toEqual(['b']);
    expect(c05).toContain('lr: 0.5');
  });

  it('checkout restores deleted outs from the cache without running anything', async () => {
    const p = setup();
    await p.run(['repro']);
    p.write('b.txt', 'user edit\n');
    for (const f of ['a.txt', 'c.txt']) (await import('node:fs')).rmSync(p.abs(f));
    expect((await p.run(['status', '--check'])).code).toBe(1);
    const co = await p.run(['checkout']);
    expect(co.code).toBe(0);
    expect(co.stdout).toContain('3 restored');
    expect(p.read('b.txt')).toBe('hello\nlr=b\n');
    expect(p.count()).toBe(3);
    const check = await p.run(['status', '--check']);
    expect(check).toMatchObject({ code: 0, stdout: '' });
  });

  it('a failing stage leaves lock and cache consistent, blocks dependents, and the next repro resumes', async () => {
    const p = setup();
    p.write(
      'pipeline.yaml',
      PIPELINE.replace(
        'echo b >> counter',
        'echo b >> counter\n      if [ -f fail ]; then echo "boom: bad input" >&2; exit 3; fi',
      ),
    );
    await p.run(['repro']);
    const lockBefore = p.read('pipeline.lock');
    p.write('fail', '');
    p.write('params.yaml', 'a: {n: 1}\nb: {lr: 0.2, other: 1}\n');
    const failed = await p.run(['repro']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('failed b: command exited with code 3');
    expect(failed.stderr).toContain('  command: echo b >> counter');
    expect(failed.stderr).toContain('    boom: bad input');
    expect(failed.stderr).toContain('not run c: stage b failed');
    expect(p.read('pipeline.lock')).toBe(lockBefore);
    (await import('node:fs')).rmSync(p.abs('fail'));
    const resumed = await p.run(['repro', '--json']);
    expect(resumed.code).toBe(0);
    expect(stagesWith(resumed.events, 'ran')).toEqual(['b']);
    expect(stagesWith(resumed.events, 'up-to-date')).toEqual(['a', 'c']);
  });

  it('reports declared outs that a stage did not produce', async () => {
    const p = setup();
    p.write('pipeline.yaml', PIPELINE.replace('outs: [c.txt]', 'outs: [c.txt, extra.txt]'));
    const r = await p.run(['repro']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed c: the stage finished but did not produce its declared outs: extra.txt.');
    expect(p.read('pipeline.lock')).not.toContain('c.txt');
  });

  it('--dry prints what would run and runs nothing', async () => {
    const p = setup();
    const r = await p.run(['repro', '-n']);
    expect(r.stdout).toContain('would run a: never run');
    expect(r.stdout).toContain('would run b: upstream stage a would run');
    expect(p.exists('counter')).toBe(false);
    expect(p.exists('pipeline.lock')).toBe(false);
  });

  it('--dry gives no cache verdict below a stage that would run (its inputs are unknown)', async () => {
    const p = setup();
    expect((await p.run(['repro'])).code).toBe(0);
    p.write('params.yaml', PARAMS.replace('lr: 0.1', 'lr: 0.2'));
    expect((await p.run(['repro'])).code).toBe(0);
    // b and c now have run-cache entries for both lr values; editing a's input makes b's inputs unknown.
    p.write('params.yaml', PARAMS);
    p.write('src/in.txt', 'changed\n');
    const r = await p.run(['repro', '-n']);
    expect(r.stdout).toContain('would run a: dep src/in.txt changed');
    expect(r.stdout).toContain('would run b: upstream stage a would run');
    expect(r.stdout).toContain('would run c: upstream stage b would run');
    expect(r.stdout).not.toContain('from run cache');
  });
});

// End-to-end: -k keeps independent branches going, the project is found from a subdirectory, declared
// env variables are part of the run-cache key, and foreach stages run as separate stages.
import { afterEach, describe, expect, it } from 'vitest';
import { Project, stagesWith } from '../helpers/project-rig.js';

let project: Project;
afterEach(() => project?.dispose());

describe('repro options', () => {
  it('-k continues independent branches after a failure; without it nothing new starts', async () => {
    project = Project.create({
      'pipeline.yaml': `stages:
  bad:
    cmd: exit 1
    outs: [bad.txt]
  after_bad:
    cmd: cat bad.txt > x.txt
    deps: [bad.txt]
    outs: [x.txt]
  good:
    cmd: echo good >> counter && echo ok > good.txt
    outs: [good.txt]
`,
    });
    const stop = await project.run(['repro', '-j', '1', '--json']);
    expect(stop.code).toBe(1);
    expect(stagesWith(stop.events, 'blocked').sort()).toEqual(['after_bad', 'good']);
    const keep = await project.run(['repro', '-j', '1', '-k', '--json']);
    expect(keep.code).toBe(1);
    expect(stagesWith(keep.events, 'ran')).toEqual(['good']);
    expect(stagesWith(keep.events, 'blocked')).toEqual(['after_bad']);
  });

  it('finds the project from a subdirectory and runs foreach stages separately', async () => {
    project = Project.create({
      'pipeline.yaml':
        'stages:\n  sweep:\n    foreach: [1, 2]\n    do:\n      cmd: echo ${item} >> counter && echo ${item} > out-${item}.txt\n      outs:\n        - out-${item}.txt\n',
      'sub/dir/.keep': '',
    });
    const r = await project.run(['repro', '--json']);
    // The two items run in parallel and commit asynchronously, so their completion order is not defined.
    expect(stagesWith(r.events, 'ran').sort()).toEqual(['sweep@1', 'sweep@2']);
    const { execa } = await import('execa');
    const { XPIPE_BIN } = await import('../helpers/project-rig.js');
    const sub = await execa(process.execPath, [XPIPE_BIN, 'status', '--check'], {
      cwd: project.abs('sub/dir'),
      reject: false,
    });
    expect(sub.exitCode).toBe(0);
    project.write('out-2.txt', 'edited\n');
    const one = await project.run(['repro', 'sweep@2', '--json']);
    expect(stagesWith(one.events, 'restored-run-cache')).toEqual(['sweep@2']);
    expect(project.read('out-2.txt')).toBe('2\n');
  });

  it('a declared env variable is part of the run-cache key', async () => {
    project = Project.create({
      'pipeline.yaml':
        'stages:\n  s:\n    cmd: echo s >> counter && echo $MODE > out.txt\n    env: [MODE]\n    params: [p]\n    outs: [out.txt]\n',
      'params.yaml': 'p: 1\n',
    });
    const { execa } = await import('execa');
    const { XPIPE_BIN } = await import('../helpers/project-rig.js');
    const run = (mode: string) =>
      execa(process.execPath, [XPIPE_BIN, 'repro'], { cwd: project.dir, env: { MODE: mode }, reject: false });
    await run('a');
    project.write('params.yaml', 'p: 2\n');
    await run('a');
    project.write('params.yaml', 'p: 1\n');
    const other = await run('b'); // same params as the first run, different MODE: must execute
    expect(String(other.stdout)).toContain('running s: param p changed 2 -> 1');
    expect(project.read('out.txt')).toBe('b\n');
    project.write('params.yaml', 'p: 2\n');
    const same = await run('a');
    expect(String(same.stdout)).toContain('restored s from run cache');
    expect(project.count()).toBe(3);
  });
});

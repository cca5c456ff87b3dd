// End-to-end: choosing where a stage runs (`executor:` in pipeline.yaml, `--executor`), the clear exit-2
// error for an unknown executor, and the engine-owned scratch directory that survives a stage's runs.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Project, STAGE_API_URL } from '../helpers/project-rig.js';

let project: Project;
afterEach(() => project?.dispose());

const COUNTING_STAGE = `import fs from 'node:fs';
import path from 'node:path';
import { defineStage } from '${STAGE_API_URL}';
export default defineStage({
  run(ctx) {
    // State kept across runs: how many times this stage has run in this project.
    const file = path.join(ctx.scratchDir, 'runs');
    const runs = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) + 1 : 1;
    fs.writeFileSync(file, String(runs));
    fs.writeFileSync(ctx.path('out.txt'), fs.readFileSync(ctx.path('in.txt'), 'utf8') + ' run ' + runs);
  },
});
`;

describe('executors', () => {
  it('an unknown executor in pipeline.yaml is an exit-2 error naming the stage, the place and the known executors; nothing runs', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  a:\n    cmd: echo a >> counter\n    executor: slurmm\n',
    });
    const r = await project.run(['repro']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pipeline.yaml:4:15');
    expect(r.stderr).toContain('Stage "a" asks for executor "slurmm"');
    expect(r.stderr).toContain('Known executors: local, slurm.');
    expect(project.count()).toBe(0);
  });

  it('--executor overrides every stage; an unknown name is an exit-2 error; executor: local runs locally', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  a:\n    cmd: echo a >> counter\n    executor: local\n',
    });
    const bad = await project.run(['repro', '--executor', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Unknown executor "nope" given with --executor. Known executors: local, slurm.');
    expect(project.count()).toBe(0);
    const good = await project.run(['repro', '--executor', 'local']);
    expect(good.code).toBe(0);
    expect(project.count()).toBe(1);
  });

  it('the executor is not part of the definition: changing it does not make a stage stale', async () => {
    project = Project.create({ 'pipeline.yaml': 'stages:\n  a:\n    cmd: echo a >> counter\n    outs: [counter]\n' });
    expect((await project.run(['repro'])).code).toBe(0);
    project.write(
      'pipeline.yaml',
      'stages:\n  a:\n    cmd: echo a >> counter\n    outs: [counter]\n    executor: local\n',
    );
    const s = await project.run(['status', '--check']);
    expect(s.code).toBe(0);
  });
});

describe('scratch directories', () => {
  it('a module stage keeps state in ctx.scratchDir across runs; it is not an out, not in the lock; gc --scratch clears it', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  count:\n    module: stage.ts\n    deps: [in.txt]\n    outs: [out.txt]\n',
      'stage.ts': COUNTING_STAGE,
      'in.txt': 'one',
    });
    expect((await project.run(['repro'])).code).toBe(0);
    expect(project.read('out.txt')).toBe('one run 1');
    project.write('in.txt', 'two');
    expect((await project.run(['repro'])).code).toBe(0);
    expect(project.read('out.txt')).toBe('two run 2');
    expect(project.read('.xpipe/scratch/count/runs')).toBe('2');
    expect(project.read('pipeline.lock')).not.toContain('scratch');

    const dry = await project.run(['gc', '--scratch', '--dry']);
    expect(dry.stdout).toContain('would remove scratch .xpipe/scratch/count');
    expect(project.exists('.xpipe/scratch/count/runs')).toBe(true);
    const gc = await project.run(['gc', '--scratch']);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toContain('removed scratch .xpipe/scratch/count');
    expect(project.exists('.xpipe/scratch')).toBe(false);
    project.write('in.txt', 'three');
    expect((await project.run(['repro'])).code).toBe(0);
    expect(project.read('out.txt')).toBe('three run 1');
  });

  it('a cmd stage gets its scratch directory as $XPIPE_SCRATCH_DIR, one per stage', async () => {
    project = Project.create({
      'pipeline.yaml':
        'stages:\n  a:\n    cmd: echo "$XPIPE_SCRATCH_DIR" > a.txt\n    outs: [a.txt]\n  b@1:\n    cmd: touch "$XPIPE_SCRATCH_DIR/mark" && echo ok > b.txt\n    outs: [b.txt]\n',
    });
    expect((await project.run(['repro'])).code).toBe(0);
    expect(fs.realpathSync(project.read('a.txt').trim())).toBe(fs.realpathSync(project.abs('.xpipe/scratch/a')));
    expect(project.exists(`.xpipe/scratch/${encodeURIComponent('b@1')}/mark`)).toBe(true);
  });
});

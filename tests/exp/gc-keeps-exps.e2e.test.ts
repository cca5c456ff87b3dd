// End-to-end: stored experiments are gc roots, so `gc --keep-runs` never makes `exp apply` impossible.
import { afterEach, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';

const PIPELINE = `stages:
  train:
    cmd: grep lr params.yaml > model.txt
    params: [lr]
    outs: [model.txt]
`;

let project: Project;
afterEach(() => project?.dispose());

describe('gc and experiments', () => {
  it("keeps an experiment's outs after --keep-runs pruned its run, and exp apply restores them", async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE, 'params.yaml': 'lr: 1\n' });
    const p = project;
    expect((await p.run(['exp', 'run', '-S', 'lr=2', '--name', 'two'])).code).toBe(0);
    // A newer workspace run makes the experiment's run-cache entry the oldest one for the stage.
    p.write('params.yaml', 'lr: 3\n');
    expect((await p.run(['repro'])).code).toBe(0);

    const gc = await p.run(['gc', '--keep-runs', '1', '--json']);
    expect(gc.code).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ type: 'gc' });
    expect(JSON.parse(gc.stdout).removedRuns.length).toBeGreaterThan(0);

    const apply = await p.run(['exp', 'apply', 'two']);
    expect({ code: apply.code, stderr: apply.stderr }).toMatchObject({ code: 0 });
    expect(p.read('model.txt')).toBe('lr: 2\n');
    expect(p.read('params.yaml')).toContain('lr: 2');
  });
});

// End-to-end: gc prunes the run cache per stage and removes objects nothing references, keeping the lock's.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Project, stagesWith } from '../helpers/project-rig.js';

const PIPELINE = `stages:
  train:
    cmd: echo train >> counter && grep lr params.yaml > model.txt
    params: [lr]
    outs: [model.txt]
`;

let project: Project;
afterEach(() => project?.dispose());

describe('xpipe gc', () => {
  it('--keep-runs prunes old runs and their objects; lock objects survive; --dry removes nothing', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE, 'params.yaml': 'lr: 1\n' });
    const p = project;
    for (const lr of [1, 2, 3]) {
      p.write('params.yaml', `lr: ${lr}\n`);
      expect((await p.run(['repro'])).code).toBe(0);
    }
    expect(fs.readdirSync(p.abs('cache/runs/train'))).toHaveLength(3);
    const dry = await p.run(['gc', '--keep-runs', '1', '--dry']);
    expect(dry.stdout).toContain('would remove 2 objects');
    expect(dry.stdout).toContain('and 2 runs');
    expect(fs.readdirSync(p.abs('cache/runs/train'))).toHaveLength(3);

    const real = await p.run(['gc', '--keep-runs', '1', '--json']);
    expect(JSON.parse(real.stdout)).toMatchObject({ type: 'gc', removedObjects: 2, keptObjects: 1 });
    expect(fs.readdirSync(p.abs('cache/runs/train'))).toHaveLength(1);

    // lr: 1 was pruned, so flipping back executes; the lock's out is still restorable.
    fs.rmSync(p.abs('model.txt'));
    expect((await p.run(['checkout'])).code).toBe(0);
    expect(p.read('model.txt')).toBe('lr: 3\n');
    p.write('params.yaml', 'lr: 1\n');
    const back = await p.run(['repro', '--json']);
    expect({
      code: back.code,
      stderr: back.stderr,
      events: back.events.filter((e) => e['type'] !== 'info').map((e) => e['reason']),
    }).toEqual({ code: 0, stderr: '', events: ['ran', 'repro-done'] });
    expect(stagesWith(back.events, 'ran')).toEqual(['train']);
    expect(p.count()).toBe(4);
  });
});

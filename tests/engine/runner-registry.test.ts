// The executor seam through the public façade: a registered runner receives exactly the stages that ask
// for it (or all, with --executor), and the engine commits what it produced like any local run.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProject, repro, RunnerRegistry, type StageRunner } from '../../src/engine/index.js';
import { localRunner } from '../../src/engine/runner/index.js';
import { Project } from '../helpers/project-rig.js';

let project: Project;
afterEach(() => project?.dispose());

/** A runner that "executes" a stage by writing its outs itself, and records which stages it got. */
function recordingRunner(seen: string[]): StageRunner {
  return {
    async run(req) {
      seen.push(req.stage.name);
      for (const o of req.stage.outs)
        fs.writeFileSync(path.join(req.root, o.path), `made by recorder for ${req.stage.name}\n`);
      return { ok: true };
    },
  };
}

const PIPELINE = [
  'stages:',
  '  local_one:',
  '    cmd: echo local > l.txt',
  '    outs: [l.txt]',
  '  remote_one:',
  '    cmd: exit 1',
  '    deps: [l.txt]',
  '    outs: [r.txt]',
  '    executor: recorder',
  '',
].join('\n');

describe('runner registry', () => {
  it('routes each stage to its executor and commits the result', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE });
    const seen: string[] = [];
    const runners = new RunnerRegistry({ local: localRunner, recorder: recordingRunner(seen) });
    const opened = openProject({ root: project.dir, runners });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const r = await repro(opened.value);
    expect(r.ok && r.value.failed).toEqual([]);
    expect(seen).toEqual(['remote_one']);
    expect(project.read('l.txt')).toBe('local\n');
    expect(project.read('r.txt')).toBe('made by recorder for remote_one\n');
    expect(project.read('pipeline.lock')).toContain('r.txt');
  });

  it('--executor sends every selected stage to one executor', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE });
    const seen: string[] = [];
    const opened = openProject({
      root: project.dir,
      runners: new RunnerRegistry({ local: localRunner, recorder: recordingRunner(seen) }),
    });
    if (!opened.ok) throw new Error('did not open');
    const r = await repro(opened.value, { executor: 'recorder' });
    expect(r.ok && r.value.ran).toEqual(['local_one', 'remote_one']);
    expect(seen).toEqual(['local_one', 'remote_one']);
  });

  it('reports every stage with an unknown executor before running anything', async () => {
    project = Project.create({
      'pipeline.yaml':
        PIPELINE.replace('executor: recorder', 'executor: gpu') + '  other:\n    cmd: echo\n    executor: tpu\n',
    });
    const opened = openProject({ root: project.dir });
    if (!opened.ok) throw new Error('did not open');
    const r = await repro(opened.value);
    expect(r.ok).toBe(false);
    if (r.ok || r.error.kind !== 'diagnostics') return;
    expect(r.error.diagnostics.map((d) => d.message.slice(0, 40))).toEqual([
      'Stage "remote_one" asks for executor "gp',
      'Stage "other" asks for executor "tpu", w',
    ]);
    expect(project.exists('l.txt')).toBe(false);
  });
});

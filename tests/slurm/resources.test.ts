// Slurm resources: units, the sbatch flags they become, pipeline.yaml and .xpipe/config.yaml diagnostics
// (exit 2, file:line), and that resources are not part of the definition hash. No cluster needed.
import { afterEach, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/engine/config/load-spec.js';
import { formatDiagnostic } from '../../src/cli/render/diagnostic.js';
import { definitionHash } from '../../src/engine/hash/stage-key.js';
import {
  mergeResources,
  parseMem,
  parseResources,
  parseTime,
  sbatchResourceArgs,
} from '../../src/engine/runner/slurm/resources.js';
import { Project } from '../helpers/project-rig.js';

let project: Project | undefined;
afterEach(() => project?.dispose());

function load(pipeline: string): string {
  project = Project.create({ 'pipeline.yaml': pipeline });
  const r = loadPipeline(project.dir);
  return r.ok ? 'ok' : r.error.map(formatDiagnostic).join('');
}

describe('resource values', () => {
  it('parses sizes and durations the way sbatch means them', () => {
    expect([
      parseMem('16G'),
      parseMem('512M'),
      parseMem('1.5G'),
      parseMem(300),
      parseMem('2GB'),
      parseMem('lots'),
    ]).toEqual([16384, 512, 1536, 300, 2048, undefined]);
    expect([
      parseTime('2h'),
      parseTime('30m'),
      parseTime('1d'),
      parseTime('1h30m'),
      parseTime(90),
      parseTime('1:30:00'),
      parseTime('2-00:00:00'),
      parseTime('45s'),
      parseTime('soon'),
    ]).toEqual([120, 30, 1440, 90, 90, 90, 2880, 1, undefined]);
  });

  it('becomes sbatch flags, stage values over config defaults, extra flags added up', () => {
    const defaults = parseResources({ partition: 'cpu', time: '1h', slurm_extra: '--exclusive' }, 'config');
    const stage = parseResources(
      {
        cpus: 4,
        mem: '16G',
        gpus: 1,
        time: '2h',
        partition: 'gpu',
        account: 'lab',
        qos: 'high',
        slurm_extra: ['--constraint=a100'],
      },
      'stage',
    );
    if (!defaults.ok || !stage.ok) throw new Error('unexpected');
    expect(sbatchResourceArgs(mergeResources(defaults.value, stage.value))).toEqual([
      '--cpus-per-task=4',
      '--mem=16384M',
      '--gpus=1',
      '--time=120',
      '--partition=gpu',
      '--account=lab',
      '--qos=high',
      '--exclusive',
      '--constraint=a100',
    ]);
  });
});

describe('resources in pipeline.yaml', () => {
  it('a bad value names the stage, the field and the place', () => {
    expect(load('stages:\n  train:\n    cmd: echo\n    resources:\n      cpus: 4\n      mem: lots\n')).toBe(
      'error: pipeline.yaml:6:12: Resource "mem" of stage "train" must be a size such as 512M, 16G or 1T (a bare number is MiB), got "lots" (string).\n' +
        '  6 |       mem: lots\n' +
        '    |            ^^^^\n',
    );
    expect(load('stages:\n  train:\n    cmd: echo\n    resources: { time: soon }\n')).toMatch(
      /^error: pipeline\.yaml:4:24: Resource "time" of stage "train" must be a duration/,
    );
  });

  it('an unknown resource lists the known ones', () => {
    expect(load('stages:\n  train:\n    cmd: echo\n    resources: { cores: 4 }\n')).toMatch(
      /^error: pipeline\.yaml:4:18: Unknown resource "cores" in stage "train"\. Known: cpus, mem, gpus, time, partition, account, qos, slurm_extra\./,
    );
  });

  it('is not part of the definition hash: moving a stage to bigger nodes does not make it stale', () => {
    project = Project.create({ 'pipeline.yaml': 'stages:\n  a:\n    cmd: echo\n' });
    const plain = loadPipeline(project.dir);
    project.write(
      'pipeline.yaml',
      'stages:\n  a:\n    cmd: echo\n    executor: slurm\n    resources: { cpus: 8, mem: 64G }\n',
    );
    const big = loadPipeline(project.dir);
    if (!plain.ok || !big.ok) throw new Error('unexpected');
    expect(big.value.spec.stages[0]?.resources).toEqual({ cpus: 8, memMiB: 65536 });
    expect(definitionHash(big.value.spec.stages[0], undefined)).toBe(
      definitionHash(plain.value.spec.stages[0], undefined),
    );
  });
});

describe('executor.slurm in .xpipe/config.yaml', () => {
  it('a bad default fails repro with exit 2 before anything is submitted, naming the file and line', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n    executor: slurm\n',
      '.xpipe/config.yaml': 'executor:\n  slurm:\n    partition: gpu\n    time: forever\n',
    });
    const r = await project.run(['repro']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '.xpipe/config.yaml:4:11: Resource "time" of executor.slurm in .xpipe/config.yaml must be a duration',
    );
    expect(project.exists('a.txt')).toBe(false);
  });

  it('shared_fs: false without a default remote is exit 2 naming the field and how to add one', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n',
      '.xpipe/config.yaml': 'executor:\n  slurm:\n    shared_fs: false\n',
    });
    const r = await project.run(['repro', '--executor', 'slurm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '.xpipe/config.yaml:3:16: "shared_fs: false" of executor.slurm in .xpipe/config.yaml needs a default remote',
    );
    expect(r.stderr).toContain('xpipe remote add -d NAME URL');
    expect(project.exists('a.txt')).toBe(false);
  });

  it('a work_root that is not an absolute path is exit 2 naming it', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n',
      '.xpipe/config.yaml':
        'remote:\n  s:\n    url: /tmp\ncore:\n  remote: s\nexecutor:\n  slurm:\n    shared_fs: false\n    work_root: scratch\n',
    });
    const r = await project.run(['repro', '--executor', 'slurm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '.xpipe/config.yaml:9:16: "work_root" of executor.slurm in .xpipe/config.yaml must be an absolute',
    );
  });
});

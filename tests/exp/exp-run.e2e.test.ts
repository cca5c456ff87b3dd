// E2E: `xpipe exp run/show/apply` on a tiny shell pipeline whose stages count their runs in files
// outside the project, through the real CLI in child processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';

let project: Project;
let counts: string;

const PARAMS = '# learning settings\nprep:\n  scale: 2\ntrain:\n  lr: 0.001 # the default\n  epochs: 3\n';

beforeEach(() => {
  counts = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-counts-'));
  project = Project.create({
    'input.txt': 'hello\n',
    'params.yaml': PARAMS,
    'pipeline.yaml': [
      'stages:',
      '  prep:',
      `    cmd: echo run >> ${counts}/prep && cat input.txt input.txt > prepared.txt`,
      '    deps: [input.txt]',
      '    params: [prep]',
      '    outs: [prepared.txt]',
      '  train:',
      '    cmd: |',
      '      [ "${train.lr}" != "-1" ] || { echo "lr must be positive" >&2; exit 3; }',
      `      echo run >> ${counts}/train`,
      '      mkdir -p metrics',
      `      echo '{"score": \${train.lr}, "epochs": \${train.epochs}}' > metrics/train.json`,
      '      cp prepared.txt model.txt',
      '    deps: [prepared.txt]',
      '    params: [train]',
      '    outs: [model.txt]',
      '    metrics:',
      '      - metrics/train.json:',
      '          cache: false',
      '',
    ].join('\n'),
  });
});
afterEach(() => {
  project.dispose();
  fs.rmSync(counts, { recursive: true, force: true });
});

const runs = (stage: string) =>
  fs.existsSync(path.join(counts, stage))
    ? fs.readFileSync(path.join(counts, stage), 'utf8').split('\n').filter(Boolean).length
    : 0;
const record = (name: string) => JSON.parse(project.read(`.xpipe/exps/${name}/exp.json`)) as Record<string, any>;

describe('exp run', () => {
  it('runs with -S in a work directory, records the run and leaves params.yaml untouched', async () => {
    const r = await project.run(['exp', 'run', '-S', 'train.lr=0.5', '--name', 'fast']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(project.read('params.yaml')).toBe(PARAMS);
    expect(project.exists('model.txt')).toBe(false);
    const rec = record('fast');
    expect(rec.status).toBe('success');
    expect(rec.overrides).toEqual({ 'train.lr': 0.5 });
    expect(rec.params['params.yaml']['train.lr']).toBe(0.5);
    expect(rec.metrics['metrics/train.json']).toEqual({ score: 0.5, epochs: 3 });
    expect(Object.keys(rec.lock.stages)).toEqual(['prep', 'train']);
    expect(project.exists('.xpipe/tmp/exps/fast')).toBe(false);
    expect([runs('prep'), runs('train')]).toEqual([1, 1]);

    const taken = await project.run(['exp', 'run', '-S', 'train.lr=0.4', '--name', 'fast']);
    expect([taken.code, taken.stderr]).toEqual([
      2,
      'error: experiment "fast" already exists; choose another --name, or delete it with "xpipe exp remove fast".\n',
    ]);

    // Same params again: everything comes from the run cache.
    const again = await project.run(['exp', 'run', '-S', 'train.lr=0.5', '--name', 'fast-again']);
    expect(again.code).toBe(0);
    expect([runs('prep'), runs('train')]).toEqual([1, 1]);
  });

  it('records a failed experiment and exits 1', async () => {
    const r = await project.run(['exp', 'run', '-S', 'train.lr=-1', '--name', 'bad']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[bad] failed train: command exited with code 3');
    expect(r.stderr).toContain('[bad] FAILED (stage train failed)');
    expect(record('bad')).toMatchObject({ status: 'failed', failed: ['train'], error: 'stage train failed' });
    expect(project.exists('.xpipe/tmp/exps/bad')).toBe(false);
    expect((await project.run(['exp', 'remove', 'bad'])).stdout).toBe('removed bad\n');
    expect(project.exists('.xpipe/exps/bad')).toBe(false);
    const again = await project.run(['exp', 'remove', 'bad']);
    expect([again.code, again.stderr]).toEqual([
      2,
      'error: no experiment named "bad" in .xpipe/exps; "xpipe exp show" lists them.\n',
    ]);
  });

  it('rejects an unknown param key with one paragraph and exit 2', async () => {
    const r = await project.run(['exp', 'run', '-S', 'train.lrr=0.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown param 'train.lrr': params.yaml has no such key. Check the spelling (xpipe params diff --all lists every param).\n",
    );
  });

  it('sweeps 3 values in parallel: preprocessing once, training 3 times; show sorts; apply adopts one', async () => {
    const r = await project.run(['exp', 'run', '--sweep', 'train.lr=0.1,0.3,0.2', '--jobs', '3', '--name', 'lr']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('shared stages run once first: prep');
    expect([runs('prep'), runs('train')]).toEqual([1, 3]);
    expect(['lr-1', 'lr-2', 'lr-3'].map((n) => record(n).metrics['metrics/train.json'].score)).toEqual([0.1, 0.3, 0.2]);

    const show = await project.run(['exp', 'show', '--sort-by', 'score', '--json']);
    expect(show.code).toBe(0);
    const rows = JSON.parse(show.stdout) as Array<{ name: string; params: Record<string, unknown> }>;
    expect(rows.map((x) => [x.name, x.params['train.lr']])).toEqual([
      ['lr-2', 0.3],
      ['lr-3', 0.2],
      ['lr-1', 0.1],
    ]);
    const md = await project.run(['exp', 'show', '--md']);
    expect(md.stdout.split('\n')[0]).toMatch(
      /^\| Experiment \| Status \| Duration \| Backend \| train\.lr \| score \|$/,
    );

    const apply = await project.run(['exp', 'apply', 'lr-3']);
    expect(apply.code, apply.stderr).toBe(0);
    expect(project.read('params.yaml')).toBe(PARAMS.replace('lr: 0.001', 'lr: 0.2'));
    expect(project.read('model.txt')).toBe('hello\nhello\n');
    expect(JSON.parse(project.read('metrics/train.json'))).toEqual({ score: 0.2, epochs: 3 });
    // With metrics in the workspace, exp show has a baseline row for it.
    const after = JSON.parse((await project.run(['exp', 'show', '--json'])).stdout) as Array<{
      name: string;
      status: string;
      params: Record<string, unknown>;
    }>;
    expect(after[0]).toMatchObject({ name: 'workspace', status: 'workspace', params: { 'train.lr': 0.2 } });
    const status = await project.run(['status']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
  });
});

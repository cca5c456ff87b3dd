// E2E: `params diff`, `metrics show/diff`, `plots diff` and `dag` through the real CLI in a temp git repo.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';
import { writePlotFixtures } from './plot-fixtures.js';
import { findChromium } from './chromium.js';

let project: Project;
const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: project.dir,
    stdio: 'pipe',
    env: { PATH: process.env['PATH'] ?? '', HOME: project.dir },
  })
    .toString()
    .trim();

const PIPELINE = `stages:
  prepare:
    cmd: cp input.txt prepared.txt
    deps: [input.txt]
    params: [prepare]
    outs: [prepared.txt]
  train:
    cmd: echo train
    deps: [prepared.txt]
    params: [train, model.arch]
    metrics:
      - metrics/train.json: {cache: false}
      - metrics/eval.json: {cache: false}
    plots:
      - plots/train_history.csv: {cache: false}
      - plots/roc.csv: {cache: false, title: ROC per label}
      - plots/confusion.csv: {cache: false, template: confusion}
`;

beforeAll(() => {
  project = Project.create({
    'input.txt': 'x\n',
    'pipeline.yaml': PIPELINE,
    'params.yaml': 'prepare:\n  size: 64\ntrain:\n  lr: 0.001\n  epochs: 10\nmodel:\n  arch: small\n  unused: 1\n',
  });
  writePlotFixtures(project.dir);
  git('init', '-q');
  git('-c', 'user.email=t@e', '-c', 'user.name=T', 'add', '.');
  git('-c', 'user.email=t@e', '-c', 'user.name=T', 'commit', '-qm', 'baseline');
  project.write(
    'params.yaml',
    'prepare:\n  size: 64\ntrain:\n  lr: 0.01\n  epochs: 10\nmodel:\n  arch: resnet18\n  unused: 2\n',
  );
  writePlotFixtures(project.dir, 0.05);
});
afterAll(() => project.dispose());

describe('report commands', () => {
  it('params diff: HEAD vs workspace, declared params only', async () => {
    const r = await project.run(['params', 'diff']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Path\s+Param\s+Old \(HEAD \([0-9a-f]{7}\)\)\s+New \(workspace\)\s+Change$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['params.yaml', 'train.lr', '0.001', '0.01', '+0.009'],
      ['params.yaml', 'model.arch', 'small', 'resnet18', '-'],
    ]);
  });

  it('params diff --all --json lists unchanged params too', async () => {
    const r = await project.run(['params', 'diff', '--all', '--json']);
    const out = JSON.parse(r.stdout) as { rows: Array<{ key: string }> };
    expect(out.rows.map((x) => x.key)).toEqual(['prepare.size', 'train.lr', 'train.epochs', 'model.arch']);
  });

  it('params diff names an unknown revision and exits 2', async () => {
    const r = await project.run(['params', 'diff', 'no-such-rev']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "error: unknown git revision 'no-such-rev': it is not a commit, branch or tag of this repository (check `git log --oneline`).\n",
    );
  });

  it('metrics show and diff flatten nested metrics', async () => {
    const show = await project.run(['metrics', 'show', '--md']);
    expect(show.stdout).toContain('| metrics/eval.json | per_label.Effusion.auc | 0.85 |');
    const diff = await project.run(['metrics', 'diff', 'HEAD']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(/metrics\/eval\.json\s+auc_macro\s+0\.75\s+0\.8\s+\+0\.05/);
  });

  it('plots diff writes one HTML report overlaying HEAD and the workspace, and PNGs', async () => {
    const r = await project.run(['plots', 'diff', '--png', 'reports/png']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('wrote reports/plots.html (6 charts');
    const html = project.read('reports/plots.html');
    expect(html).toContain('ROC per label');
    expect(html).toMatch(/HEAD \([0-9a-f]{7}\) vs workspace/);
    expect(project.exists('reports/png/plots-confusion-csv.png')).toBe(true);
  });

  it.skipIf(!findChromium())(
    'plots show --screenshot saves the report as drawn by Chromium (skipped without chromium)',
    async () => {
      const r = await project.run(['plots', 'show', '--out', 'reports/ws.html', '--screenshot', 'docs/plots.png']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('wrote docs/plots.png');
      expect(project.read('docs/plots.png').slice(1, 4)).toBe('PNG');
    },
  );

  it('plots rejects an unknown template with the stage and file named', async () => {
    const p = Project.create({
      'pipeline.yaml': 'stages:\n  s:\n    cmd: "true"\n    plots:\n      - a.csv: {template: pie}\n',
    });
    const r = await p.run(['plots', 'show']);
    p.dispose();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'Unknown plot template "pie" for a.csv in stage s (pipeline.yaml); use one of linear, scatter, bar, confusion.',
    );
  });

  it('dag draws the graph and the upstream of a stage', async () => {
    const r = await project.run(['dag']);
    expect(r.stdout).toBe(
      [
        '+---------+',
        '| prepare |',
        '+---------+',
        '     |',
        '     |',
        '     v',
        ' +-------+',
        ' | train |',
        ' +-------+',
        '',
      ].join('\n'),
    );
    const m = await project.run(['dag', 'prepare', '--mermaid']);
    expect(m.stdout).toBe('flowchart TD\n  s0["prepare"]\n');
    const bad = await project.run(['dag', 'nope']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      'error: unknown stage "nope". Stages in pipeline.yaml: prepare, train.\n',
    ]);
  });
});

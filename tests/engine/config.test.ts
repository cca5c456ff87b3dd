// Loading pipeline.yaml: diagnostics with file:line:col and exact wording, foreach/matrix expansion.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/engine/config/load-spec.js';
import { formatDiagnostic } from '../../src/cli/render/diagnostic.js';
import { Project } from '../helpers/project-rig.js';

let project: Project | undefined;
afterEach(() => project?.dispose());

function load(
  pipeline: string,
  params = 'train: {lr: 0.1, epochs: 2}\nmodel: {arch: s}\n',
  files: Record<string, string> = {},
): string {
  project = Project.create({ 'pipeline.yaml': pipeline, 'params.yaml': params, 'src/in.txt': 'x', ...files });
  const r = loadPipeline(project.dir);
  if (r.ok) return 'ok';
  return r.error.map(formatDiagnostic).join('');
}

describe('pipeline.yaml diagnostics', () => {
  it('YAML syntax error points at the line', () => {
    expect(load('stages:\n  a:\n    cmd: [unclosed\n')).toMatch(
      /^error: pipeline\.yaml:\d+:\d+: pipeline\.yaml is not valid YAML: .*Fix the syntax at the marked place\.\n/,
    );
  });

  it('unknown field names the field, the stage and the place', () => {
    expect(load('stages:\n  a:\n    cmd: echo\n    dps: [src/in.txt]\n')).toBe(
      'error: pipeline.yaml:4:5: Unknown field "dps" in stage "a". Expected one of: cmd, module, deps, params, outs, metrics, plots, always_changed, frozen, desc, wdir, env, executor, resources, meta, foreach/do, matrix.\n' +
        '  4 |     dps: [src/in.txt]\n' +
        '    |     ^^^\n',
    );
  });

  it('wrong type', () => {
    expect(load('stages:\n  a:\n    cmd: echo\n    frozen: "yes"\n')).toBe(
      'error: pipeline.yaml:4:13: Field "frozen" of stage "a" must be true or false, got "yes" (string).\n' +
        '  4 |     frozen: "yes"\n' +
        '    |             ^^^^^\n',
    );
  });

  it('missing param key', () => {
    expect(load('stages:\n  a:\n    cmd: echo\n    params: [train.lr, train.momentum]\n')).toBe(
      'error: pipeline.yaml:4:24: Stage "a" declares param "train.momentum", but params.yaml has no such key. Add it to params.yaml or remove it from the stage\'s params.\n' +
        '  4 |     params: [train.lr, train.momentum]\n' +
        '    |                        ^^^^^^^^^^^^^^\n',
    );
  });

  it('dep that does not exist and no stage produces', () => {
    expect(load('stages:\n  a:\n    cmd: echo\n    deps: [src/nope.txt]\n')).toContain(
      'error: pipeline.yaml:4:12: Dependency "src/nope.txt" of stage "a" does not exist and no stage produces it.',
    );
  });

  it('outs that escape the project', () => {
    expect(load('stages:\n  a:\n    cmd: echo\n    outs: [../x.txt]\n')).toContain(
      'error: pipeline.yaml:4:12: Path "../x.txt" in "outs" of stage "a" is absolute or leaves the project;',
    );
    expect(load('stages:\n  a:\n    cmd: echo\n    outs: [/tmp/x.txt]\n')).toContain(
      'Path "/tmp/x.txt" in "outs" of stage "a" is absolute or leaves the project',
    );
  });

  it('duplicate outs name both stages', () => {
    const text = load('stages:\n  a:\n    cmd: echo\n    outs: [o.txt]\n  b:\n    cmd: echo\n    outs: [o.txt]\n');
    expect(text).toContain('Output "o.txt" has more than one producer: stages "a" and "b" both declare it.');
    expect(text).toContain('  see pipeline.yaml:4:12');
  });

  it("an out inside another stage's out is rejected", () => {
    expect(load('stages:\n  a:\n    cmd: echo\n    outs: [data]\n  b:\n    cmd: echo\n    outs: [data/x]\n')).toContain(
      'Output "data/x" of stage "b" lies inside output "data" of stage "a", so one stage would write into the other\'s outs.',
    );
  });

  it('a cycle lists every stage', () => {
    const text = load(
      'stages:\n  a:\n    cmd: echo\n    deps: [c.txt]\n    outs: [a.txt]\n  b:\n    cmd: echo\n    deps: [a.txt]\n    outs: [b.txt]\n  c:\n    cmd: echo\n    deps: [b.txt]\n    outs: [c.txt]\n',
    );
    expect(text).toContain('The pipeline has a dependency cycle: a → b → c → a.');
  });

  it('cmd and module together, or neither', () => {
    expect(load('stages:\n  a:\n    deps: [src/in.txt]\n')).toContain('Stage "a" has neither "cmd" nor "module"');
    expect(load('stages:\n  a:\n    cmd: echo\n    module: m.ts\n')).toContain(
      'Stage "a" has both "cmd" and "module"; keep exactly one.',
    );
  });

  it('unknown interpolation variable', () => {
    expect(load('stages:\n  a:\n    cmd: echo ${train.nope}\n')).toContain('${train.nope} does not name a value');
  });
});

describe('expansion', () => {
  it('foreach over a params list, matrix, ${item}/${key} and ${param} interpolation, per-out flags', () => {
    project = Project.create({
      'pipeline.yaml': `stages:
  train:
    foreach: \${sweep.lrs}
    do:
      cmd: train --lr \${item} --epochs \${train.epochs}
      outs:
        - models/\${item}
  eval:
    foreach:
      small: {size: 1}
      big: {size: 9}
    do:
      cmd: eval \${key} \${item.size}
      metrics:
        - metrics/\${key}.json: {cache: false}
      plots:
        - plots/\${key}.csv: {cache: false, x: step, y: loss, title: Loss}
  grid:
    matrix:
      arch: [a, b]
      bs: [8, 16]
    cmd: fit \${item.arch} \${item.bs}
    outs:
      - grid/\${key}
`,
      'params.yaml': 'sweep: {lrs: [0.001, 0.01]}\ntrain: {epochs: 3}\n',
    });
    const r = loadPipeline(project.dir);
    if (!r.ok) throw new Error(r.error.map(formatDiagnostic).join(''));
    const stages = r.value.spec.stages;
    expect(stages.map((s) => s.name)).toEqual([
      'train@0.001',
      'train@0.01',
      'eval@small',
      'eval@big',
      'grid@a-8',
      'grid@a-16',
      'grid@b-8',
      'grid@b-16',
    ]);
    expect(stages[1]?.command).toEqual({ kind: 'cmd', cmd: 'train --lr 0.01 --epochs 3' });
    expect(stages[3]?.outs.map((o) => [o.path, o.kind, o.cache, o.plot])).toEqual([
      ['metrics/big.json', 'metric', false, undefined],
      ['plots/big.csv', 'plot', false, { x: 'step', y: 'loss', title: 'Loss' }],
    ]);
    expect(stages[5]?.outs[0]?.path).toBe('grid/a-16');
  });

  it('accepts the project pipeline.yaml shape (module stages, sections, cache: false metrics)', () => {
    project = Project.create({
      'pipeline.yaml':
        'stages:\n  train:\n    module: stages/train.ts\n    deps: [src/ml]\n    params: [model, train]\n    outs: [models/model]\n    metrics:\n      - metrics/train.json:\n          cache: false\n',
      'params.yaml': 'model: {arch: s}\ntrain: {lr: 1}\n',
      'stages/train.ts': 'export default {}',
      'src/ml/x.ts': '',
    });
    const r = loadPipeline(project.dir);
    expect(r.ok).toBe(true);
  });
});

describe('parse cache', () => {
  it('serves unchanged files from the cache and still locates errors found later', () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  a:\n    cmd: echo\n    deps: [src/in.txt]\n',
      'src/in.txt': 'x',
    });
    expect(loadPipeline(project.dir).ok).toBe(true);
    expect(project.read('.xpipe/state/parsed.json')).toContain('"pipeline.yaml"');
    fs.rmSync(project.abs('src/in.txt'));
    const r = loadPipeline(project.dir);
    expect(r.ok ? 'ok' : r.error.map(formatDiagnostic).join('')).toBe(
      'error: pipeline.yaml:4:12: Dependency "src/in.txt" of stage "a" does not exist and no stage produces it. Create it, add a stage that outputs it, or fix the path.\n' +
        '  4 |     deps: [src/in.txt]\n' +
        '    |            ^^^^^^^^^^\n',
    );
  });
});

// End-to-end: a TypeScript stage module in a temp project runs in a child process, receives only its
// declared params (nested), and streams log and progress events back; StageInputError is one clean line.
import { afterEach, describe, expect, it } from 'vitest';
import { Project, STAGE_API_URL, stagesWith } from '../helpers/project-rig.js';

const STAGE = `import fs from 'node:fs';
import { defineStage, StageInputError } from '${STAGE_API_URL}';
export default defineStage({
  async run(ctx) {
    const lr = (ctx.params as { train?: { lr?: unknown } }).train?.lr;
    if (typeof lr !== 'number') throw new StageInputError(\`expected number for train.lr, got \${JSON.stringify(lr)}\`);
    ctx.log.info(\`params \${JSON.stringify(ctx.params)} deps \${ctx.deps.join(',')} outs \${ctx.outs.join(',')} metrics \${ctx.metrics.join(',')}\`);
    ctx.progress.start({ label: 'epoch 1/1', total: 3, unit: 'img' });
    for (let i = 0; i < 3; i++) ctx.progress.tick();
    ctx.progress.done('loss 0.1');
    fs.mkdirSync(ctx.path('out'), { recursive: true });
    fs.writeFileSync(ctx.path('out/model.json'), JSON.stringify(ctx.params));
    fs.writeFileSync(ctx.path('metrics.json'), JSON.stringify({ acc: 0.9 }));
    fs.appendFileSync(ctx.path('../counter'), 'train\\n');
  },
});
`;

let project: Project;
afterEach(() => project?.dispose());

describe('module stages', () => {
  it('get declared params only, relative paths from wdir, and stream log/progress events', async () => {
    project = Project.create({
      'pipeline.yaml':
        'stages:\n  train:\n    module: train.ts\n    wdir: work\n    deps: [../in.txt]\n    params: [train.lr, model]\n    outs: [out]\n    metrics:\n      - metrics.json: {cache: false}\n',
      'params.yaml': 'train: {lr: 0.5, epochs: 9}\nmodel: {arch: s}\nsecret: {x: 1}\n',
      'in.txt': 'x',
      'work/train.ts': STAGE,
    });
    const r = await project.run(['repro', '--json']);
    expect(r.code).toBe(0);
    const log = r.events.find((e) => e['reason'] === 'log' && e['level'] === 'info');
    expect(log?.['message']).toBe(
      'params {"train":{"lr":0.5},"model":{"arch":"s"}} deps ../in.txt outs out metrics metrics.json',
    );
    const progress = r.events.filter((e) => e['reason'] === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ stage: 'train', label: 'epoch 1/1', done: 3, total: 3, unit: 'img' });
    expect(r.events.find((e) => e['reason'] === 'progress-done')).toMatchObject({ summary: 'loss 0.1' });
    expect(stagesWith(r.events, 'ran')).toEqual(['train']);
    expect(JSON.parse(project.read('work/out/model.json'))).toEqual({ train: { lr: 0.5 }, model: { arch: 's' } });

    // Editing the module file changes the stage definition.
    project.write('work/train.ts', STAGE + '\n// edited\n');
    const st = await project.run(['status']);
    expect(st.stdout).toContain('module work/train.ts changed');
  });

  it('StageInputError fails the stage with one clean paragraph and no stack', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  train:\n    module: train.ts\n    params: [train]\n    outs: [out]\n',
      'params.yaml': 'train: {lr: fast}\n',
      'train.ts': STAGE,
    });
    const r = await project.run(['repro']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'failed train: expected number for train.lr, got "fast"\nnot run nothing\n'.replace('not run nothing\n', ''),
    );
    expect(r.stdout).toContain('0 ran, 0 restored, 0 up to date, 1 failed');
  });

  it('a crashing stage process fails only that stage', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  crash:\n    module: crash.ts\n    outs: [o]\n',
      'crash.ts': `import { defineStage } from '${STAGE_API_URL}';\nexport default defineStage({ run() { process.kill(process.pid, 'SIGKILL'); } });\n`,
    });
    const r = await project.run(['repro']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed crash: killed by SIGKILL');
    expect(project.exists('pipeline.lock')).toBe(false);
  });
});

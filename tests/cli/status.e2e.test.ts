// End-to-end: `status --check` exit codes, including a simulated fresh clone with --allow-missing, and
// exit code 2 + diagnostics for bad input through the real CLI.
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';

const PIPELINE = `stages:
  gen:
    cmd: mkdir -p data && cat src/seed.txt > data/raw.txt
    deps: [src/seed.txt]
    outs: [data]
  train:
    cmd: cat data/raw.txt src/lib/*.ts > model.txt && echo '{"acc":1}' > metrics.json
    deps: [data, src/lib]
    params: [train]
    outs: [model.txt]
    metrics:
      - metrics.json:
          cache: false
`;

let project: Project;
afterEach(() => project?.dispose());

function setup(): Project {
  project = Project.create({
    'pipeline.yaml': PIPELINE,
    'params.yaml': 'train: {lr: 1}\n',
    'src/seed.txt': 'seed\n',
    'src/lib/a.ts': 'a\n',
    'src/lib/sub/b.ts': 'b\n',
  });
  return project;
}

/** Deletes what a fresh git clone would not have: data/, cache/, .xpipe/ and cached outs. */
function freshClone(p: Project): void {
  for (const f of ['data', 'cache', '.xpipe', 'model.txt']) fs.rmSync(p.abs(f), { recursive: true, force: true });
}

describe('xpipe status --check', () => {
  it('is silent with exit 0 when consistent, prints reasons with exit 1 otherwise', async () => {
    const p = setup();
    const before = await p.run(['status', '--check']);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('gen: stale\n    never run (no entry in pipeline.lock)\n');
    expect((await p.run(['repro'])).code).toBe(0);
    expect(await p.run(['status', '--check'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    p.write('src/lib/sub/b.ts', 'changed\n');
    const drift = await p.run(['status', '--check']);
    expect(drift).toMatchObject({ code: 1, stdout: 'train: stale\n    dep src/lib changed\n' });
  });

  it('--allow-missing accepts a fresh clone and still catches real drift', async () => {
    const p = setup();
    await p.run(['repro']);
    freshClone(p);
    expect((await p.run(['status', '--check'])).code).toBe(1);
    expect(await p.run(['status', '--check', '--allow-missing'])).toMatchObject({ code: 0, stdout: '' });
    const listed = await p.run(['status', '--allow-missing']);
    expect(listed.stdout).toContain('gen: not present: data');
    expect(listed.stdout).toContain('train: not present: data, model.txt');

    // A committed metric that differs from the lock is drift even with --allow-missing.
    const metric = p.read('metrics.json');
    p.write('metrics.json', '{"acc": 0.5}\n');
    expect(await p.run(['status', '--check', '--allow-missing'])).toMatchObject({
      code: 1,
      stdout: 'train: stale\n    out metrics.json changed\n',
    });
    p.write('metrics.json', metric);

    // The lock's own chain: train's recorded hash of data/ must equal gen's recorded out hash.
    const lock = p.read('pipeline.lock');
    const genHash = /path: data\n\s+hash: (\S+)/.exec(lock)?.[1] ?? '';
    expect(genHash).toMatch(/\.dir$/);
    p.write(
      'pipeline.lock',
      lock.replace(
        new RegExp(`(train:[\\s\\S]*?path: data\\n\\s+hash: )${genHash.replace('.', '\\.')}`),
        '$10000000000000000000000000000000000000000.dir',
      ),
    );
    const chain = await p.run(['status', '--check', '--allow-missing']);
    expect(chain.code).toBe(1);
    expect(chain.stdout).toContain('dep data recorded in pipeline.lock differs from the out recorded for stage gen');
    p.write('pipeline.lock', lock);

    p.write('params.yaml', 'train: {lr: 2}\n');
    expect(await p.run(['status', '--check', '--allow-missing'])).toMatchObject({
      code: 1,
      stdout: 'train: stale\n    param train.lr changed 1 -> 2\n',
    });
  });

  it('adding a dep to a stage makes it stale (the whole definition is hashed, not just cmd)', async () => {
    const p = setup();
    await p.run(['repro']);
    p.write('pipeline.yaml', PIPELINE.replace('deps: [src/seed.txt]', 'deps: [src/seed.txt, params.yaml]'));
    expect((await p.run(['status'])).stdout).toBe('gen: stale\n    dep params.yaml added\n');
  });

  it('bad input exits 2 with the diagnostic and writes nothing', async () => {
    const p = setup();
    p.write('pipeline.yaml', PIPELINE.replace('params: [train]', 'params: [train.momentum]'));
    const r = await p.run(['repro']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error: pipeline.yaml:9:14: Stage "train" declares param "train.momentum", but params.yaml has no such key. Add it to params.yaml or remove it from the stage\'s params.\n' +
        '  9 |     params: [train.momentum]\n' +
        '    |              ^^^^^^^^^^^^^^\n',
    );
    expect(p.exists('pipeline.lock')).toBe(false);
    expect(p.exists('data')).toBe(false);
    const unknown = await p.run(['repro', 'nope']);
    expect(unknown.code).toBe(2);
    const usage = await p.run(['repro', '--bogus']);
    expect(usage).toMatchObject({
      code: 2,
      stderr: 'error: Unknown option --bogus for "xpipe repro". Run "xpipe repro --help" to see its options.\n',
    });
  });

  it('help lists commands and each command shows examples', async () => {
    const p = setup();
    const main = await p.run(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/repro\s+Run the stale stages/);
    const repro = await p.run(['repro', '--help']);
    expect(repro.stdout).toContain('Usage: xpipe repro [STAGE...] [options]');
    expect(repro.stdout).toContain('xpipe repro train --force');
  });
});

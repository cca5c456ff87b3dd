// One stage's commit protocol in-process: a run commits its outs to the cache, pipeline.lock and the run
// cache together or not at all; missing outs are named; a stage that edits its own dep is re-run next time;
// the run cache restores instead of running, and only for the same params, deps and code.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeStage, type StageOutcome } from '../../src/engine/execute-stage.js';
import { diffWorkspaceStage, stageState } from '../../src/engine/workspace.js';
import type { Project } from '../../src/engine/project.js';
import type { StageRunner } from '../../src/engine/runner/types.js';
import { eventLog, failing, TempProject, TestRunner, writeOuts } from './engine-rig.js';

const sha1 = (s: string) => crypto.createHash('sha1').update(s).digest('hex');

async function exec(
  project: Project,
  name: string,
  runner: StageRunner,
  opts: { runCache?: boolean; signal?: AbortSignal; log?: ReturnType<typeof eventLog> } = {},
): Promise<StageOutcome> {
  const stage = project.graph.byName.get(name);
  if (!stage) throw new Error(`no stage ${name}`);
  return executeStage(project, stage, {
    forced: false,
    runCache: opts.runCache ?? true,
    dry: false,
    signal: opts.signal ?? new AbortController().signal,
    runner,
    emit: opts.log?.emit ?? (() => {}),
  });
}

/** Everything a run can commit: the lock file, the object ids in the cache, the run-cache records. */
function committed(tp: TempProject) {
  const list = (dir: string): string[] =>
    fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : [];
  const objects = list(tp.abs('cache')).filter((p) => /^[0-9a-f]{2}\/[0-9a-f]+(\.dir)?$/.test(p));
  return {
    lock: tp.exists('pipeline.lock') ? tp.read('pipeline.lock') : undefined,
    objects,
    runs: list(tp.abs('cache/runs')).filter((p) => p.endsWith('.json')),
  };
}

const PARAM_STAGE = `stages:
  s:
    cmd: s
    deps: [in.txt]
    params: [p]
    outs: [out.txt, dir]
`;

describe('executeStage', () => {
  it('commits every out (files and directories) to the cache, the lock and the run cache', async () => {
    using tp = new TempProject({ 'pipeline.yaml': PARAM_STAGE, 'params.yaml': 'p: 1\n', 'in.txt': 'in\n' });
    const runner = new TestRunner({
      s: (req) => {
        writeOuts({ ...req, stage: { ...req.stage, outs: req.stage.outs.filter((o) => o.path === 'out.txt') } });
        fs.mkdirSync(tp.abs('dir/sub'), { recursive: true });
        fs.writeFileSync(tp.abs('dir/a.txt'), 'A');
        fs.writeFileSync(tp.abs('dir/sub/b.txt'), 'B');
        return { ok: true };
      },
    });
    const project = tp.open(runner);
    expect(await exec(project, 's', runner)).toBe('ran');
    const entry = project.lock.stages['s'];
    expect(entry?.outs.map((o) => o.path)).toEqual(['out.txt', 'dir']);
    for (const o of entry?.outs ?? []) expect(await project.store.hasComplete(o.hash)).toBe(true);
    expect(entry?.outs[0]?.hash).toBe(sha1(tp.read('out.txt')));
    expect(committed(tp).objects).toHaveLength(4); // out.txt, a.txt, b.txt, the manifest
    expect(committed(tp).runs).toHaveLength(1);
    expect(tp.read('pipeline.lock')).toContain(entry?.outs[1]?.hash);
    expect(fs.readdirSync(tp.abs('cache/tmp'))).toEqual([]);
  });

  it('a successful command that leaves an out missing fails naming it, and commits nothing', async () => {
    using tp = new TempProject({ 'pipeline.yaml': PARAM_STAGE, 'params.yaml': 'p: 1\n', 'in.txt': 'in\n' });
    // Writes out.txt but not the directory out.
    const runner = new TestRunner({
      s: (req) => writeOuts({ ...req, stage: { ...req.stage, outs: req.stage.outs.slice(0, 1) } }),
    });
    const log = eventLog();
    expect(await exec(tp.open(runner), 's', runner, { log })).toBe('failed');
    expect(log.events.filter((e) => e.type === 'failure')).toEqual([
      { type: 'failure', reason: 'missing-outs', stage: 's', paths: ['dir'] },
    ]);
    expect(committed(tp)).toEqual({ lock: undefined, objects: [], runs: [] });
  });

  it('a failed run after a good one keeps the previous lock entry byte for byte and adds nothing to the caches', async () => {
    using tp = new TempProject({
      'pipeline.yaml': 'stages:\n  s: {cmd: s, params: [p], outs: [out.txt]}\n',
      'params.yaml': 'p: 1\n',
    });
    const ok = new TestRunner();
    expect(await exec(tp.open(ok), 's', ok)).toBe('ran');
    const before = committed(tp);
    tp.write('params.yaml', 'p: 2\n');
    // Writes its out, then fails: a half-done run must not be committed.
    const bad = new TestRunner({ s: (req) => (writeOuts(req), failing(req)) });
    expect(await exec(tp.open(bad), 's', bad)).toBe('failed');
    expect(committed(tp)).toEqual(before);
  });

  it('a run that ends after Ctrl-C is cancelled and commits nothing, even when the command succeeded', async () => {
    using tp = new TempProject({ 'pipeline.yaml': 'stages:\n  s: {cmd: s, outs: [out.txt]}\n' });
    const abort = new AbortController();
    // A stage that ignores the signal and finishes its work anyway.
    const runner = new TestRunner({ s: (req) => (abort.abort(), writeOuts(req)) });
    const log = eventLog();
    expect(await exec(tp.open(runner), 's', runner, { signal: abort.signal, log })).toBe('cancelled');
    expect(log.of('cancelled')).toEqual(['s']);
    expect(committed(tp)).toEqual({ lock: undefined, objects: [], runs: [] });
  });

  it('a stage that edits its own dep records the dep as it found it, so the next run sees the change', async () => {
    using tp = new TempProject({
      'pipeline.yaml': 'stages:\n  s: {cmd: s, deps: [log.txt], outs: [out.txt]}\n',
      'log.txt': 'line 1\n',
    });
    const runner = new TestRunner({
      s: (req) => {
        fs.appendFileSync(tp.abs('log.txt'), 'appended by the stage\n');
        return writeOuts(req);
      },
    });
    expect(await exec(tp.open(runner), 's', runner)).toBe('ran');
    const again = tp.open(runner);
    expect(again.lock.stages['s']?.deps).toEqual([{ path: 'log.txt', hash: sha1('line 1\n'), size: 7 }]);
    const stage = again.graph.byName.get('s');
    if (!stage) throw new Error('no stage');
    expect(diffWorkspaceStage(again, stage, stageState(again, stage)).reasons).toMatchObject([
      { kind: 'dep-changed', path: 'log.txt' },
    ]);
    expect(await exec(again, 's', runner)).toBe('ran');
    expect(runner.count('s')).toBe(2);
  });

  describe('run cache', () => {
    it('restores the outs of an earlier run with the same inputs instead of running; --no-run-cache runs', async () => {
      using tp = new TempProject({
        'pipeline.yaml': 'stages:\n  s: {cmd: s, deps: [in.txt], params: [p], outs: [out.txt]}\n',
        'params.yaml': 'p: 1\n',
        'in.txt': 'in\n',
      });
      const runner = new TestRunner();
      expect(await exec(tp.open(runner), 's', runner)).toBe('ran');
      const first = tp.read('pipeline.lock');
      tp.write('params.yaml', 'p: 2\n');
      expect(await exec(tp.open(runner), 's', runner)).toBe('ran');
      tp.write('params.yaml', 'p: 1\n');
      const log = eventLog();
      expect(await exec(tp.open(runner), 's', runner, { log })).toBe('restored');
      expect(log.of('restored-run-cache')).toEqual(['s']);
      expect(runner.count('s')).toBe(2);
      expect(tp.read('out.txt')).toBe('s {"p":1}\nin\n');
      expect(tp.read('pipeline.lock')).toBe(first);
      expect(await exec(tp.open(runner), 's', runner)).toBe('up-to-date');

      tp.write('params.yaml', 'p: 2\n');
      expect(await exec(tp.open(runner), 's', runner, { runCache: false })).toBe('ran');
      expect(runner.count('s')).toBe(3);
    });

    it('an entry whose objects are gone from the cache is not offered: the stage runs', async () => {
      using tp = new TempProject({
        'pipeline.yaml': 'stages:\n  s: {cmd: s, params: [p], outs: [out.txt]}\n',
        'params.yaml': 'p: 1\n',
      });
      const runner = new TestRunner();
      await exec(tp.open(runner), 's', runner);
      const project = tp.open(runner);
      const hash = project.lock.stages['s']?.outs[0]?.hash;
      if (!hash) throw new Error('no out');
      await project.store.delete(hash);
      fs.rmSync(tp.abs('pipeline.lock'));
      const log = eventLog();
      expect(await exec(tp.open(runner), 's', runner, { log })).toBe('ran');
      expect(log.events.filter((e) => e.reason === 'corrupt-object')).toEqual([]);
      expect(runner.count('s')).toBe(2);
    });

    it('a corrupt or malformed record for the key is ignored: the stage runs and the record is rewritten', async () => {
      using tp = new TempProject({
        'pipeline.yaml': 'stages:\n  s: {cmd: s, params: [p], outs: [out.txt]}\n',
        'params.yaml': 'p: 1\n',
      });
      const runner = new TestRunner();
      await exec(tp.open(runner), 's', runner);
      const records = committed(tp).runs;
      expect(records).toHaveLength(1);
      const file = tp.abs(path.join('cache/runs', String(records[0])));
      const good = fs.readFileSync(file, 'utf8');
      for (const bad of ['{ "stage": "s", "key": "trunc', JSON.stringify({ stage: 's', key: 'k', outs: 'x' })]) {
        fs.writeFileSync(file, bad);
        fs.rmSync(tp.abs('pipeline.lock'));
        fs.rmSync(tp.abs('out.txt'));
        expect(await exec(tp.open(runner), 's', runner)).toBe('ran');
        expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({
          ...JSON.parse(good),
          createdAt: expect.any(String),
        });
      }
      expect(runner.count('s')).toBe(3);
    });

    describe('the key covers everything the outs are made from', () => {
      // Each case: run, change one input, run again. A key that missed the input would find the first
      // run's record and restore its (wrong) outs instead of running.
      const cases: { what: string; files: Record<string, string>; change: Record<string, string> }[] = [
        {
          what: 'a declared param',
          files: { 'params.yaml': 'p: 1\nq: 1\n' },
          change: { 'params.yaml': 'p: 1\nq: 2\n' },
        },
        { what: 'a dep', files: { 'in.txt': 'one\n' }, change: { 'in.txt': 'two\n' } },
        {
          what: "a file the module stage's code imports",
          files: {
            'stage.ts': "import { v } from './helper.js';\nexport default v;\n",
            'helper.ts': 'export const v = 1;\n',
          },
          change: { 'helper.ts': 'export const v = 2;\n' },
        },
      ];
      for (const c of cases) {
        it(`${c.what}`, async () => {
          const module = 'stage.ts' in c.files;
          using tp = new TempProject({
            'pipeline.yaml': `stages:\n  s:\n    ${module ? 'module: stage.ts' : 'cmd: s'}\n    deps: [in.txt]\n    params: [p, q]\n    outs: [out.txt]\n`,
            'params.yaml': 'p: 1\nq: 1\n',
            'in.txt': 'in\n',
            ...c.files,
          });
          const runner = new TestRunner();
          expect(await exec(tp.open(runner), 's', runner)).toBe('ran');
          for (const [f, content] of Object.entries(c.change)) tp.write(f, content);
          const log = eventLog();
          expect(await exec(tp.open(runner), 's', runner, { log })).toBe('ran');
          expect(log.of('restored-run-cache')).toEqual([]);
          expect(committed(tp).runs).toHaveLength(2);
        });
      }

      it('an undeclared param is not in it: changing one still restores', async () => {
        using tp = new TempProject({
          'pipeline.yaml': 'stages:\n  s: {cmd: s, params: [p], outs: [out.txt]}\n',
          'params.yaml': 'p: 1\nother: 1\n',
        });
        const runner = new TestRunner();
        await exec(tp.open(runner), 's', runner);
        fs.rmSync(tp.abs('pipeline.lock'));
        tp.write('params.yaml', 'p: 1\nother: 2\n');
        expect(await exec(tp.open(runner), 's', runner)).toBe('restored');
        expect(runner.count('s')).toBe(1);
      });
    });
  });
});

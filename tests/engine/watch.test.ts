// Watch mode: the initial run, a dep edit re-runs the stale stage, and state transitions follow the machine.
import { afterEach, describe, expect, it } from 'vitest';
import { watchPipeline, type WatchState } from '../../src/engine/watch.js';
import { openProject } from '../../src/engine/project.js';
import type { EngineEvent } from '../../src/engine/model/events.js';
import { Project, STAGE_API_URL } from '../helpers/project-rig.js';

let project: Project;
afterEach(() => project?.dispose());

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('repro --watch', () => {
  it('re-runs what became stale after a change, then returns to watching', async () => {
    project = Project.create({
      'pipeline.yaml':
        'stages:\n  copy:\n    cmd: echo copy >> counter && cat in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n',
      'in.txt': 'one\n',
    });
    const p = project;
    const controller = new AbortController();
    const states: WatchState[] = [];
    const events: EngineEvent[] = [];
    const opened = openProject({ root: p.dir });
    if (!opened.ok) throw new Error('project did not open');
    const done = watchPipeline(opened.value, {
      signal: controller.signal,
      debounceMs: 50,
      onState: (s) => states.push(s),
      onEvent: (e) => events.push(e),
    });
    await until(() => p.count() === 1 && states.at(-1) === 'watching', 'initial run');
    p.write('in.txt', 'two\n');
    await until(() => p.count() === 2 && states.at(-1) === 'watching', 'second run');
    expect(p.read('out.txt')).toBe('two\n');
    controller.abort();
    expect((await done).ok).toBe(true);
    // Consecutive repeats (several fs events for one edit) collapse into one state.
    expect(states.filter((s, i) => s !== states[i - 1])).toEqual([
      'running',
      'watching',
      'debouncing',
      'running',
      'watching',
      'aborted',
    ]);
    expect(events.filter((e) => e.type === 'success' && e.reason === 'ran')).toHaveLength(2);
  });

  it('watches the files a module stage imports (its code deps), through the real CLI', async () => {
    project = Project.create({
      'pipeline.yaml': 'stages:\n  m:\n    module: m.ts\n    outs: [out.txt]\n',
      'm.ts': `import fs from 'node:fs';\nimport { defineStage } from '${STAGE_API_URL}';\nimport { v } from './lib/helper.js';\nexport default defineStage({ run(ctx) { fs.writeFileSync(ctx.path('out.txt'), v); fs.appendFileSync(ctx.path('counter'), 'm\\n'); } });\n`,
      'lib/helper.ts': "export const v = 'one';\n",
    });
    const p = project;
    const child = p.spawn(['repro', '--watch']);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += String(d)));
    try {
      await until(() => /watching \d+ files/.test(out), 'watching after the initial run');
      expect(out).toMatch(/watching 4 files/); // pipeline.yaml, m.ts, lib/helper.ts, package-lock.json
      p.write('lib/helper.ts', "export const v = 'two';\n");
      await until(() => p.count() === 2, 'run after the helper changed');
      expect(out).toContain('running m: code lib/helper.ts changed (imported by m.ts)');
      expect(p.read('out.txt')).toBe('two');
    } finally {
      child.kill('SIGTERM');
      await child;
    }
  });
});

// The scheduler in-process, with a controllable runner: dependency order, the -j bound, what a failure
// stops under each policy, a runner that throws, and cancellation. End-to-end counterparts: tests/cli/
// concurrency.e2e.test.ts and options.e2e.test.ts.
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { schedule, type FailurePolicy } from '../../src/engine/scheduler.js';
import { topoOrder } from '../../src/engine/graph/topo-order.js';
import type { Project } from '../../src/engine/project.js';
import { eventLog, failing, TempProject, TestRunner, until } from './engine-rig.js';

/** a -> b (reads a.txt); c -> d (reads c.txt): two independent chains. */
const TWO_CHAINS = `stages:
  a:
    cmd: a
    outs: [a.txt]
  b:
    cmd: b
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: c
    outs: [c.txt]
  d:
    cmd: d
    deps: [c.txt]
    outs: [d.txt]
`;

function run(
  project: Project,
  runner: TestRunner,
  opts: { jobs: number; policy?: FailurePolicy; signal?: AbortSignal; log?: ReturnType<typeof eventLog> },
) {
  const order = topoOrder(project.graph, new Set(project.graph.stages.map((s) => s.name)));
  return schedule(project, {
    order,
    forced: new Set(),
    jobs: opts.jobs,
    policy: opts.policy ?? 'stop-new',
    runCache: true,
    dry: false,
    signal: opts.signal ?? new AbortController().signal,
    runners: new Map(order.map((n) => [n, runner])),
    emit: opts.log?.emit ?? (() => {}),
  });
}

describe('scheduler', () => {
  it('starts a stage only after its upstream stage has run and committed, even with free slots', async () => {
    using tp = new TempProject({
      'pipeline.yaml': `stages:
  a: {cmd: a, outs: [a.txt]}
  b: {cmd: b, deps: [a.txt], outs: [b.txt]}
  c: {cmd: c, deps: [b.txt], outs: [c.txt]}
`,
    });
    const seen: Record<string, unknown> = {};
    const runner = new TestRunner();
    runner.hold('a');
    runner.on('b', () => {
      // What b finds when it starts: a's out in the workspace and a's entry in pipeline.lock on disk.
      seen['a.txt'] = tp.exists('a.txt') ? tp.read('a.txt') : undefined;
      seen['lock has a'] = tp.exists('pipeline.lock') && tp.read('pipeline.lock').includes('a.txt');
      fs.writeFileSync(tp.abs('b.txt'), 'b\n');
      return { ok: true };
    });
    const project = tp.open(runner);
    const log = eventLog();
    const done = run(project, runner, { jobs: 3, log });
    await runner.started('a');
    runner.release('a');
    const summary = await done;
    expect(runner.calls).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual({ 'a.txt': 'a {}\n', 'lock has a': true });
    expect(summary).toMatchObject({ ran: ['a', 'b', 'c'], failed: [], interrupted: false });
  });

  it('never runs more than -j stages at once', async () => {
    using tp = new TempProject({
      'pipeline.yaml': `stages:\n${[1, 2, 3, 4].map((i) => `  s${i}: {cmd: s${i}, outs: [s${i}.txt]}\n`).join('')}`,
    });
    const runner = new TestRunner();
    runner.hold('s1', 's2', 's3', 's4');
    const done = run(tp.open(runner), runner, { jobs: 2 });
    await runner.whenCalls(2);
    // Proving that nothing else starts needs a moment of quiet: unbounded, s3 and s4 start within it.
    await sleep(200);
    expect(runner.calls).toHaveLength(2);
    for (const s of runner.calls.slice(0, 2)) runner.release(s);
    await runner.whenCalls(4);
    for (const s of runner.calls.slice(2)) runner.release(s);
    const summary = await done;
    expect(runner.maxActive).toBe(2);
    expect(summary.ran.sort()).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('-j 0 runs one stage at a time instead of hanging', async () => {
    using tp = new TempProject({
      'pipeline.yaml': 'stages:\n  x: {cmd: x, outs: [x.txt]}\n  y: {cmd: y, outs: [y.txt]}\n',
    });
    const runner = new TestRunner();
    const summary = await run(tp.open(runner), runner, { jobs: 0 });
    expect({ ran: summary.ran, maxActive: runner.maxActive }).toEqual({ ran: ['x', 'y'], maxActive: 1 });
  });

  it('stop-new: after a failure the running stage finishes and commits, nothing new starts', async () => {
    using tp = new TempProject({ 'pipeline.yaml': TWO_CHAINS });
    const runner = new TestRunner({ a: failing });
    runner.hold('a', 'c');
    const log = eventLog();
    const done = run(tp.open(runner), runner, { jobs: 2, log });
    await Promise.all([runner.started('a'), runner.started('c')]);
    runner.release('a');
    // b is blocked only once a's outcome is known, i.e. after the scheduler saw the failure.
    await until(() => log.of('blocked').includes('b'), 'b to be blocked');
    runner.release('c');
    const summary = await done;
    expect(runner.calls.sort()).toEqual(['a', 'c']);
    expect(summary).toMatchObject({ ran: ['c'], failed: ['a', 'b', 'd'] });
    expect(log.events.filter((e) => e.reason === 'blocked')).toEqual([
      { type: 'failure', reason: 'blocked', stage: 'b', by: 'a' },
      { type: 'failure', reason: 'blocked', stage: 'd', by: 'a' },
    ]);
    // c committed; nothing of a, b or d is in the lock.
    const lock = tp.read('pipeline.lock');
    expect(lock).toContain('c.txt');
    expect(lock).not.toMatch(/\b[abd]\.txt/);
  });

  it('keep-going: a failure blocks only its dependents; the independent chain runs to the end', async () => {
    using tp = new TempProject({ 'pipeline.yaml': TWO_CHAINS });
    const runner = new TestRunner({ a: failing });
    const log = eventLog();
    const summary = await run(tp.open(runner), runner, { jobs: 1, policy: 'keep-going', log });
    expect(summary).toMatchObject({ ran: ['c', 'd'], failed: ['a', 'b'] });
    expect(runner.calls).not.toContain('b');
    expect(log.events.filter((e) => e.type === 'failure')).toMatchObject([
      { reason: 'exit-non-zero', stage: 'a', exitCode: 3 },
      { reason: 'blocked', stage: 'b', by: 'a' },
    ]);
  });

  it('a runner that throws is an internal-error of that stage, not a crash of the run', async () => {
    using tp = new TempProject({ 'pipeline.yaml': TWO_CHAINS });
    const runner = new TestRunner({
      c: () => {
        throw new Error('runner bug');
      },
    });
    const log = eventLog();
    const summary = await run(tp.open(runner), runner, { jobs: 2, policy: 'keep-going', log });
    expect(summary).toMatchObject({ ran: ['a', 'b'], failed: ['c', 'd'] });
    expect(log.events.find((e) => e.reason === 'internal-error')).toMatchObject({
      stage: 'c',
      message: 'runner bug',
    });
    expect(log.events.find((e) => e.reason === 'blocked')).toMatchObject({ stage: 'd', by: 'c' });
  });

  it('cancellation: the running stage is told, queued stages are not started, dependents are blocked', async () => {
    using tp = new TempProject({ 'pipeline.yaml': TWO_CHAINS });
    const runner = new TestRunner({
      // Honours the signal as a real runner does: it stops and reports itself cancelled.
      a: async (req) => {
        if (!req.signal.aborted) await new Promise((r) => req.signal.addEventListener('abort', r));
        return { ok: false, failure: { type: 'failure', reason: 'cancelled', stage: 'a' } };
      },
    });
    const abort = new AbortController();
    const log = eventLog();
    const done = run(tp.open(runner), runner, { jobs: 1, signal: abort.signal, log });
    await runner.started('a');
    abort.abort();
    const summary = await done;
    expect(runner.calls).toEqual(['a']);
    expect(summary).toMatchObject({ ran: [], failed: ['a', 'b', 'c', 'd'], interrupted: true });
    const failures = log.events.filter((e) => e.type === 'failure');
    // Order between the two chains is not specified.
    failures.sort((x, y) => String('stage' in x && x.stage).localeCompare(String('stage' in y && y.stage)));
    expect(failures).toEqual([
      { type: 'failure', reason: 'cancelled', stage: 'a' },
      { type: 'failure', reason: 'blocked', stage: 'b', by: 'a' },
      { type: 'failure', reason: 'cancelled', stage: 'c' },
      { type: 'failure', reason: 'blocked', stage: 'd', by: 'c' },
    ]);
    expect(tp.exists('pipeline.lock')).toBe(false);
  });
});

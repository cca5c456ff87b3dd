// End-to-end: the Slurm executor against the run's real single-node Slurm (tests/servers). One file, so
// the cases run one after another and never compete for the node's 2 CPUs. Tiny stages, few jobs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';
import { serverTestsSkipped, slurm, type SlurmInfo } from '../servers/index.js';
import { EventLog, jobEvents, jobsOf, runXpipe, scontrolJob, spawnXpipe } from './rig.js';

const uid = () => Math.random().toString(36).slice(2, 8);

/** a → b → c, each a cmd stage; `a` carries resources. */
function threeStages(executor: string | undefined, a: string): string {
  const ex = executor ? `\n    executor: ${executor}` : '';
  return `stages:
  ${a}:
    cmd: echo hello > a.txt${ex}
    outs: [a.txt]
    resources: { cpus: 1, mem: 300M, time: 7m }
  b:
    cmd: tr a-z A-Z < a.txt > b.txt${ex}
    deps: [a.txt]
    outs: [b.txt]
  c:
    cmd: cat a.txt b.txt > c.txt${ex}
    deps: [a.txt, b.txt]
    metrics: [c.txt]
`;
}

/** Result records a non-shared job left on a path remote (the coordinator deletes each one it has read). */
function resultRecords(remote: string): string[] {
  const dir = path.join(remote, 'runs', 'slurm-results');
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.json'));
}

/** The hashes of a lock (what a run computed), without anything run-specific. */
function lockHashes(p: Project): unknown {
  const lines = p
    .read('pipeline.lock')
    .split('\n')
    .filter((l) => /hash:|path:|definition:/.test(l));
  return lines.map((l) => l.trim());
}

describe.skipIf(serverTestsSkipped())('Slurm executor (real slurmctld/slurmd)', () => {
  let info: SlurmInfo;
  const projects: Project[] = [];
  const project = (files: Record<string, string>) => {
    const p = Project.create(files);
    projects.push(p);
    return p;
  };
  beforeAll(async () => {
    info = await slurm();
  }, 120_000);
  const dirs: string[] = [];
  /** A temp directory outside every project (a remote, a node's work root). */
  const tempDir = (prefix: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const p of projects.splice(0)) p.dispose();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('runs a 3-stage pipeline as jobs, with a lock identical to a local run and resources in scontrol', async () => {
    const a = `a_${uid()}`;
    const local = project({ 'pipeline.yaml': threeStages(undefined, a) });
    expect((await runXpipe(local, info, ['repro'])).code).toBe(0);
    const remote = project({ 'pipeline.yaml': threeStages('slurm', a) });
    const r = await runXpipe(remote, info, ['repro', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(lockHashes(remote)).toEqual(lockHashes(local));
    expect(remote.read('c.txt')).toBe('hello\nHELLO\n');
    // Each stage was one job, reported SUBMITTED ... COMPLETED with its id.
    for (const s of [a, 'b', 'c']) {
      const states = jobEvents(r.events, s).map((e) => e['state']);
      expect(states[0]).toBe('SUBMITTED');
      expect(states.at(-1)).toBe('COMPLETED');
    }
    const jobs = jobsOf(info, a);
    expect(jobs).toHaveLength(1);
    expect(jobEvents(r.events, a)[0]?.['jobId']).toBe(jobs[0]?.id);
    const show = scontrolJob(info, jobs[0].id);
    expect(show).toMatch(/TimeLimit=00:07:00/);
    expect(show).toMatch(/mem=300M/);
    expect(show).toMatch(/NumCPUs=1\b/);
    expect(show).toContain(`WorkDir=${remote.dir}`);
    // Nothing left to do: a second repro submits nothing.
    const again = await runXpipe(remote, info, ['repro', '--json']);
    expect(again.events.filter((e) => e['reason'] === 'cluster-job')).toEqual([]);
  });

  it('fails a stage whose job fails with the Slurm state, exit code and log tail; the lock stays consistent', async () => {
    const d = `d_${uid()}`;
    const p = project({
      'pipeline.yaml': `stages:
  ok:
    cmd: echo fine > ok.txt
    outs: [ok.txt]
  ${d}:
    cmd: |
      echo working on it
      echo oops-the-stage-broke >&2
      exit 3
    deps: [ok.txt]
    outs: [d.txt]
`,
    });
    const r = await runXpipe(p, info, ['repro', '--executor', 'slurm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`failed ${d}: Slurm job \\d+ ended FAILED \\(exit code 3\\), reason NonZeroExitCode`),
    );
    expect(r.stderr).toContain('command exited with code 3');
    expect(r.stderr).toMatch(/log \(last \d+ lines\):[\s\S]*oops-the-stage-broke/);
    expect(jobsOf(info, d).map((j) => j.state)).toEqual(['FAILED']);
    // `ok` is committed, the failed stage is not; status agrees with the workspace.
    expect(p.read('pipeline.lock')).toContain('ok.txt');
    expect(p.read('pipeline.lock')).not.toContain(d);
    const st = await runXpipe(p, info, ['status', '--json']);
    const stale = Object.fromEntries(st.events.map((e) => [e['stage'], e['stale']]));
    expect(stale).toEqual({ ok: false, [d]: true });
  });

  it("a job over its mem: limit fails its stage with the state, signal 9 and slurmstepd's message", async () => {
    const big = `big_${uid()}`;
    const p = project({
      'pipeline.yaml': `stages:
  ${big}:
    cmd: node -e "const b = Buffer.alloc(400e6, 1); setTimeout(() => console.log(b.length), 4000)" > big.txt
    outs: [big.txt]
    executor: slurm
    resources: { mem: 200M }
`,
    });
    const r = await runXpipe(p, info, ['repro']);
    expect(r.code).toBe(1);
    // Without cgroups Slurm's OverMemoryKill ends the job FAILED with signal 9; with cgroups it is OUT_OF_MEMORY.
    expect(r.stderr).toMatch(
      new RegExp(`failed ${big}: Slurm job \\d+ ended (FAILED \\(exit code 0, signal 9\\)|OUT_OF_MEMORY)`),
    );
    expect(r.stderr).toMatch(/log \(last \d+ lines\):[\s\S]*memory limit/i);
    expect(p.exists('pipeline.lock') ? p.read('pipeline.lock') : '').not.toContain(big);
  });

  it('Ctrl-C cancels the queued and the running job; nothing is committed', async () => {
    const [run, queued] = [`run_${uid()}`, `queued_${uid()}`];
    // Each asks for all of the node's CPUs: one runs, the other waits in the queue.
    const stage = (n: string) => `  ${n}:
    cmd: sleep 120 && echo done > ${n}.txt
    outs: [${n}.txt]
    executor: slurm
    resources: { cpus: ${info.cpus} }
`;
    const p = project({ 'pipeline.yaml': `stages:\n${stage(run)}${stage(queued)}` });
    const child = spawnXpipe(p, info, ['repro', '--json', '-j', '2']);
    const log = new EventLog(child);
    await log.until((e) => e['reason'] === 'cluster-job' && e['state'] === 'RUNNING');
    await log.until((e) => e['reason'] === 'cluster-job' && e['state'] === 'PENDING');
    const live = () =>
      [...jobsOf(info, run), ...jobsOf(info, queued)].filter((j) => j.state === 'RUNNING' || j.state === 'PENDING');
    expect(
      live()
        .map((j) => j.state)
        .sort(),
    ).toEqual(['PENDING', 'RUNNING']);
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode).toBe(130);
    expect(live()).toEqual([]);
    expect([...jobsOf(info, run), ...jobsOf(info, queued)].map((j) => j.state)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(p.exists('pipeline.lock') ? p.read('pipeline.lock') : '').not.toMatch(/run_|queued_/);
  });

  it('re-attaches to the running job after the coordinator was SIGKILLed: no duplicate submission', async () => {
    const s = `slow_${uid()}`;
    const p = project({
      'pipeline.yaml': `stages:
  ${s}:
    cmd: sleep 6 && echo done > out.txt
    outs: [out.txt]
    executor: slurm
`,
    });
    const first = spawnXpipe(p, info, ['repro', '--json']);
    const running = await new EventLog(first).until((e) => e['reason'] === 'cluster-job' && e['state'] === 'RUNNING');
    first.kill('SIGKILL');
    await first;
    const r = await runXpipe(p, info, ['repro', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const attached = jobEvents(r.events, s)[0];
    expect(attached).toMatchObject({ jobId: running['jobId'], attached: true });
    expect(jobsOf(info, s)).toEqual([{ id: running['jobId'], state: 'COMPLETED' }]);
    expect(p.read('out.txt')).toBe('done\n');
    expect(p.read('pipeline.lock')).toContain('out.txt');
    expect((await runXpipe(p, info, ['status', '--json'])).code).toBe(0);
  });

  it('exp run --executor slurm runs each sweep point as its own job', async () => {
    const t = `train_${uid()}`;
    const p = project({
      'params.yaml': 'train:\n  lr: 1\n',
      'score.sh': 'echo "score: $(( $(sed -n "s/.*lr: //p" params.yaml) * 10 ))" > metrics.yaml\n',
      'pipeline.yaml': `stages:
  ${t}:
    cmd: sh score.sh
    params: [train.lr]
    metrics: [metrics.yaml]
`,
    });
    const r = await runXpipe(p, info, [
      'exp',
      'run',
      '--executor',
      'slurm',
      '--sweep',
      'train.lr=1,2,3,4',
      '--jobs',
      '4',
      '--name',
      'lr',
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const jobs = jobsOf(info, t);
    expect(jobs).toHaveLength(4);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(4);
    expect(jobs.every((j) => j.state === 'COMPLETED')).toBe(true);
    const show = await runXpipe(p, info, ['exp', 'show', '--json']);
    const scores = (JSON.parse(show.stdout) as { status: string; metrics: Record<string, number> }[])
      .map((e) => e.metrics['metrics.yaml:score'])
      .sort();
    expect(scores).toEqual([10, 20, 30, 40]);
  });

  it('shared_fs: false: the job fetches its dep from the remote, works in its own dir, and its outs come back', async () => {
    const s = `iso_${uid()}`;
    const [remote, workRoot] = [tempDir('xpipe-remote-'), tempDir('xpipe-node-')];
    const p = project({
      '.xpipe/config.yaml': `core:\n  remote: store\nremote:\n  store:\n    url: ${remote}\nexecutor:\n  slurm:\n    shared_fs: false\n    work_root: ${workRoot}\n`,
      'data.txt': 'hello\n',
      // --hold: the job cannot start before the test has changed the workspace and released it.
      'pipeline.yaml': `stages:
  ${s}:
    cmd: tr a-z A-Z < data.txt > up.txt && pwd > where.txt
    deps: [data.txt]
    outs: [up.txt, where.txt]
    executor: slurm
    resources: { slurm_extra: --hold }
`,
    });
    const child = spawnXpipe(p, info, ['repro', '--json']);
    const submitted = await new EventLog(child).until(
      (e) => e['reason'] === 'cluster-job' && e['state'] === 'SUBMITTED',
    );
    const jobId = submitted['jobId'] as string;
    // The dep's bytes are on the remote now. A job that read the workspace would see this instead.
    p.write('data.txt', 'tampered\n');
    execFileSync('scontrol', ['release', jobId], { env: { ...process.env, ...info.env } });
    const r = await child;
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(p.read('up.txt')).toBe('HELLO\n');
    expect(p.read('where.txt')).toBe(`${path.join(workRoot, `xpipe-job-${jobId}`, 'work')}\n`);
    expect(scontrolJob(info, jobId)).toContain(`WorkDir=${workRoot} `);
    // The job cleaned up its private directory; only Slurm's log file stays on the node.
    expect(fs.readdirSync(workRoot)).toEqual([`xpipe-${jobId}.log`]);
    // The outs went through the remote and the local cache into the workspace and the lock.
    const lock = p.read('pipeline.lock');
    const upHash = /path: up\.txt\n\s+hash: (\w+)/.exec(lock)?.[1] ?? '';
    expect(fs.existsSync(path.join(remote, upHash.slice(0, 2), upHash.slice(2)))).toBe(true);
    expect(fs.existsSync(path.join(p.dir, 'cache', upHash.slice(0, 2), upHash.slice(2)))).toBe(true);
    expect(resultRecords(remote)).toEqual([]);
    p.write('data.txt', 'hello\n');
    const st = await runXpipe(p, info, ['status', '--json']);
    expect(st.events.map((e) => [e['stage'], e['stale']])).toEqual([[s, false]]);
  });

  it('shared_fs: false: a failing job reports its exit code and the log tail it sent through the remote', async () => {
    const s = `isobad_${uid()}`;
    const remote = tempDir('xpipe-remote-');
    const p = project({
      '.xpipe/config.yaml': `core:\n  remote: store\nremote:\n  store:\n    url: ${remote}\nexecutor:\n  slurm:\n    shared_fs: false\n    work_root: ${tempDir('xpipe-node-')}\n`,
      'pipeline.yaml': `stages:
  ${s}:
    cmd: echo isolated-stage-broke >&2 && exit 4
    outs: [never.txt]
    executor: slurm
`,
    });
    const r = await runXpipe(p, info, ['repro']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`failed ${s}: Slurm job \\d+ ended FAILED \\(exit code 4\\)`));
    expect(r.stderr).toMatch(/log \(last \d+ lines\):[\s\S]*isolated-stage-broke/);
    expect(resultRecords(remote)).toEqual([]);
    expect(p.exists('pipeline.lock') ? p.read('pipeline.lock') : '').not.toContain(s);
  });

  it('checks the run cache before submitting: local, and the remote one with --pull; no job for known work', async () => {
    const s = `known_${uid()}`;
    const remote = tempDir('xpipe-remote-');
    const files = {
      '.xpipe/config.yaml': `core:\n  remote: store\nremote:\n  store:\n    url: ${remote}\n`,
      'in.txt': 'input\n',
      'pipeline.yaml': `stages:\n  ${s}:\n    cmd: tr a-z A-Z < in.txt > out.txt\n    deps: [in.txt]\n    outs: [out.txt]\n    executor: slurm\n`,
    };
    // The work was done once, locally, and its run shared on the remote.
    const a = project(files);
    expect((await runXpipe(a, info, ['repro', '--executor', 'local'])).code).toBe(0);
    expect((await runXpipe(a, info, ['push', '--run-cache'])).code).toBe(0);
    // Local run cache: the lock and the out are gone, the run is remembered: restored, not submitted.
    fs.rmSync(a.abs('pipeline.lock'));
    fs.rmSync(a.abs('out.txt'));
    const local = await runXpipe(a, info, ['repro', '--json']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.events.filter((e) => e['stage'] === s).map((e) => e['reason'])).toEqual(['restored-run-cache']);
    // A fresh clone knows nothing locally: without --pull the stage would go to Slurm...
    const b = project(files);
    const dry = await runXpipe(b, info, ['repro', '--dry', '--json']);
    expect(dry.events.filter((e) => e['stage'] === s).map((e) => e['reason'])).toEqual(['would-run']);
    // ...with --pull the remote's run cache answers and no job is submitted.
    const pulled = await runXpipe(b, info, ['repro', '--pull', '--json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.events.filter((e) => e['stage'] === s)).toEqual([
      { type: 'success', reason: 'restored-run-cache', stage: s, remote: 'store' },
    ]);
    expect(b.read('out.txt')).toBe('INPUT\n');
    expect(jobsOf(info, s)).toEqual([]);
  });
});

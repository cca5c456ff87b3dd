/**
 * Runs a `module` stage in a child Node process (runner/stage-host.ts) in its own process group, so a
 * crash or out-of-memory in the stage fails only that stage; the group cannot outlive xpipe
 * (runner/orphan-guard.ts). Turns the child's IPC messages into log and
 * progress events (with rate and ETA) and its exit into an outcome.
 * Owns: the parent side of runner/protocol.ts. Does not own: deciding whether to run, committing outs.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, InitMessage } from './protocol.js';
import { exitFailure, type ProcessExit, type RunOutcome, type RunRequest } from './types.js';
import { killGroup, LineTail } from './process-group.js';
import { spawnGuarded } from './orphan-guard.js';
import { makeScratchDir } from './scratch.js';

const selfPath = fileURLToPath(import.meta.url);
const HOST = path.join(path.dirname(selfPath), `stage-host${path.extname(selfPath)}`);

export async function runModuleStage(req: RunRequest): Promise<RunOutcome> {
  const { stage } = req;
  if (stage.command.kind !== 'module') throw new Error('runModuleStage needs a module stage');
  const wdir = path.join(req.root, stage.wdir);
  const rel = (p: string) => path.relative(wdir, path.join(req.root, p)).split(path.sep).join('/');
  const init: InitMessage = {
    type: 'init',
    modulePath: path.join(req.root, stage.command.module),
    name: stage.name,
    root: req.root,
    wdir,
    params: req.params,
    deps: stage.deps.map((d) => rel(d.path)),
    outs: stage.outs.filter((o) => o.kind === 'out').map((o) => rel(o.path)),
    metrics: stage.outs.filter((o) => o.kind === 'metric').map((o) => rel(o.path)),
    plots: stage.outs.filter((o) => o.kind === 'plot').map((o) => rel(o.path)),
    scratchDir: makeScratchDir(req.root, stage.name),
  };
  const command = `module ${stage.command.declared}`;
  const { child, release } = spawnGuarded({
    argv: [process.execPath, ...(HOST.endsWith('.ts') ? ['--import', 'tsx'] : []), HOST],
    cwd: wdir,
    env: { ...process.env, XPIPE_STAGE: stage.name },
    ipc: true,
    root: req.root,
    stage: stage.name,
  });
  const errTail = new LineTail(20);
  const outTail = new LineTail(5);
  const log = (level: 'stdout' | 'stderr', message: string) =>
    req.onEvent({ type: 'info', reason: 'log', stage: stage.name, level, message });
  child.stdout?.setEncoding('utf8').on('data', (c: string) => outTail.push(c).forEach((m) => log('stdout', m)));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => errTail.push(c).forEach((m) => log('stderr', m)));

  let result: Extract<ChildMessage, { type: 'result' }> | undefined;
  const progress = new ProgressTracker(stage.name, (e) => req.onEvent(e));
  child.on('message', (m: ChildMessage) => {
    if (m.type === 'result') result = m;
    else if (m.type === 'log')
      req.onEvent({ type: 'info', reason: 'log', stage: stage.name, level: m.level, message: m.message });
    else progress.handle(m);
  });
  const onAbort = () => {
    if (child.connected) child.send({ type: 'abort' });
    killGroup(child);
  };
  req.signal.addEventListener('abort', onAbort, { once: true });
  child.send(init);
  const exit = await new Promise<ProcessExit>((resolve) => {
    child.on('error', () => resolve({ code: -1, signal: null }));
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  req.signal.removeEventListener('abort', onAbort);
  release(req.signal.aborted);
  errTail.end().forEach((m) => log('stderr', m));
  outTail.end().forEach((m) => log('stdout', m));
  if (req.signal.aborted) return { ok: false, failure: { type: 'failure', reason: 'cancelled', stage: stage.name } };
  if (result?.ok === true && exit.code === 0) return { ok: true };
  if (result && !result.ok) {
    return result.kind === 'input'
      ? {
          ok: false,
          failure: { type: 'failure', reason: 'stage-input-error', stage: stage.name, message: result.message },
        }
      : {
          ok: false,
          failure: {
            type: 'failure',
            reason: 'stage-error',
            stage: stage.name,
            message: result.message,
            ...(result.stack ? { stack: result.stack } : {}),
          },
        };
  }
  return exitFailure(stage.name, command, exit, errTail.tail);
}

/** Turns progress messages into samples with rate and ETA. */
class ProgressTracker {
  private label = '';
  private total = 0;
  private unit = 'it';
  private started = 0;

  constructor(
    private readonly stage: string,
    private readonly emit: RunRequest['onEvent'],
  ) {}

  handle(m: Exclude<ChildMessage, { type: 'result' | 'log' }>): void {
    const now = Date.now();
    if (m.type === 'progress-start') {
      Object.assign(this, { label: m.label, total: m.total, unit: m.unit, started: now });
      this.sample(0, now);
    } else if (m.type === 'progress-update') this.sample(m.done, now);
    else {
      this.emit({
        type: 'info',
        reason: 'progress-done',
        stage: this.stage,
        label: this.label,
        seconds: (now - this.started) / 1000,
        ...(m.summary !== undefined ? { summary: m.summary } : {}),
      });
    }
  }

  private sample(done: number, now: number): void {
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const etaSeconds = rate > 0 ? Math.max(0, (this.total - done) / rate) : undefined;
    this.emit({
      type: 'info',
      reason: 'progress',
      stage: this.stage,
      label: this.label,
      done,
      total: this.total,
      unit: this.unit,
      rate,
      etaSeconds,
    });
  }
}

/**
 * Runs a `cmd` stage: the whole (possibly multi-line) command is ONE shell script run with `/bin/sh -c`,
 * in the stage's wdir, in its own process group, guarded against outliving xpipe (runner/orphan-guard.ts).
 * stdout/stderr lines become log events.
 * Owns: shell execution. Does not own: deciding whether to run, or committing outs.
 */
import path from 'node:path';
import { exitFailure, type ProcessExit, type RunOutcome, type RunRequest } from './types.js';
import { killGroup, LineTail } from './process-group.js';
import { spawnGuarded } from './orphan-guard.js';
import { makeScratchDir } from './scratch.js';

export async function runShellStage(req: RunRequest): Promise<RunOutcome> {
  const { stage } = req;
  if (stage.command.kind !== 'cmd') throw new Error('runShellStage needs a cmd stage');
  const command = stage.command.cmd;
  const { child, release } = spawnGuarded({
    argv: ['/bin/sh', '-c', command],
    cwd: path.join(req.root, stage.wdir),
    env: { ...process.env, XPIPE_STAGE: stage.name, XPIPE_SCRATCH_DIR: makeScratchDir(req.root, stage.name) },
    root: req.root,
    stage: stage.name,
  });
  const out = new LineTail(5);
  const errTail = new LineTail(20);
  child.stdout
    ?.setEncoding('utf8')
    .on('data', (c: string) =>
      out
        .push(c)
        .forEach((message) =>
          req.onEvent({ type: 'info', reason: 'log', stage: stage.name, level: 'stdout', message }),
        ),
    );
  child.stderr
    ?.setEncoding('utf8')
    .on('data', (c: string) =>
      errTail
        .push(c)
        .forEach((message) =>
          req.onEvent({ type: 'info', reason: 'log', stage: stage.name, level: 'stderr', message }),
        ),
    );
  const onAbort = () => killGroup(child);
  req.signal.addEventListener('abort', onAbort, { once: true });
  // The watcher is released at the first process's exit; 'close' (all output read) comes after it.
  child.once('exit', () => release(req.signal.aborted));
  try {
    const exit = await new Promise<ProcessExit>((resolve) => {
      child.once('error', () => {
        release(true);
        resolve({ code: -1, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    out
      .end()
      .forEach((message) => req.onEvent({ type: 'info', reason: 'log', stage: stage.name, level: 'stdout', message }));
    errTail
      .end()
      .forEach((message) => req.onEvent({ type: 'info', reason: 'log', stage: stage.name, level: 'stderr', message }));
    if (req.signal.aborted) return { ok: false, failure: { type: 'failure', reason: 'cancelled', stage: stage.name } };
    if (exit.code === 0 && !exit.signal) return { ok: true };
    return exitFailure(stage.name, command, exit, errTail.tail);
  } finally {
    req.signal.removeEventListener('abort', onAbort);
  }
}

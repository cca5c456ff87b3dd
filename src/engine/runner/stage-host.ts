/**
 * The child-process entry that runs one stage module: registers tsx so `.ts` modules import directly,
 * builds the StageContext from the init message, streams log/progress to the parent over IPC and exits
 * non-zero on failure. Heavy ML code is loaded only here, never in the CLI process.
 * Owns: the child side of runner/protocol.ts. Does not own: what the stage does.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ChildMessage, InitMessage, ParentMessage } from './protocol.js';
import type { StageContext, StageDefinition } from '../../stage-api/index.js';

const THROTTLE_MS = 100;

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) resolve();
    else process.send(message, undefined, {}, () => resolve());
  });
}

const controller = new AbortController();

function makeContext(init: InitMessage): StageContext {
  let done = 0;
  let total = 0;
  let lastSent = 0;
  const update = (force: boolean) => {
    const now = Date.now();
    if (force || now - lastSent >= THROTTLE_MS || done >= total) {
      lastSent = now;
      void send({ type: 'progress-update', done });
    }
  };
  return {
    name: init.name,
    root: init.root,
    wdir: init.wdir,
    params: init.params,
    deps: init.deps,
    outs: init.outs,
    metrics: init.metrics,
    plots: init.plots,
    scratchDir: init.scratchDir,
    path: (relative: string) => path.resolve(init.wdir, relative),
    log: {
      info: (message) => void send({ type: 'log', level: 'info', message: String(message) }),
      warn: (message) => void send({ type: 'log', level: 'warn', message: String(message) }),
    },
    progress: {
      start: (p) => {
        done = 0;
        total = p.total;
        lastSent = 0;
        void send({ type: 'progress-start', label: p.label, total: p.total, unit: p.unit ?? 'it' });
      },
      tick: (n = 1) => {
        done += n;
        update(false);
      },
      update: (d) => {
        done = d;
        update(false);
      },
      done: (summary) => void send({ type: 'progress-done', ...(summary !== undefined ? { summary } : {}) }),
    },
    signal: controller.signal,
  };
}

async function runStage(init: InitMessage): Promise<void> {
  process.chdir(init.wdir);
  if (/\.[cm]?tsx?$/.test(init.modulePath)) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  const mod = (await import(pathToFileURL(init.modulePath).href)) as { default?: StageDefinition };
  const def = mod.default;
  if (!def || typeof def.run !== 'function') {
    await send({
      type: 'result',
      ok: false,
      kind: 'input',
      message: `${path.relative(init.root, init.modulePath)} has no default export made with defineStage({ run(ctx) {...} }). Export the stage as the module's default.`,
    });
    process.exit(1);
  }
  await def.run(makeContext(init));
}

// Cancelled (the runner sends SIGTERM to the process group): abort ctx.signal so the stage can stop
// cleanly, then exit after a short grace period; the runner follows up with SIGKILL if we are stuck.
process.on('SIGTERM', () => {
  controller.abort();
  setTimeout(() => process.exit(143), 500);
});

// The runner died (or was killed): abort the stage at once. The group's watcher (runner/orphan-guard.ts)
// kills this process and its children within ~1 s even if this handler never gets to run.
process.on('disconnect', () => {
  controller.abort();
  setTimeout(() => process.exit(1), 2000).unref();
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'abort') {
    controller.abort();
    return;
  }
  runStage(message).then(
    async () => {
      await send({ type: 'result', ok: true });
      process.exit(0);
    },
    async (e: unknown) => {
      const error = e instanceof Error ? e : new Error(String(e));
      const input = error.name === 'StageInputError';
      await send({
        type: 'result',
        ok: false,
        kind: input ? 'input' : 'error',
        message: error.message,
        ...(input || !error.stack ? {} : { stack: error.stack }),
      });
      process.exit(1);
    },
  );
});

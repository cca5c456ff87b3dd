/**
 * `repro --watch`: watch the pipeline's source inputs and re-run what became stale.
 *
 *              change                 timer fires
 *   watching ─────────► debouncing ───────────────► running ──► (done) ──► watching
 *       ▲                  ▲  │ change: restart timer  │  change
 *       │                  │  ▼                        ▼
 *       │                  └───────────────────── queued (run again after the current one)
 *   any state ── abort (Ctrl-C) ──► aborted
 *
 * A change during a run never starts a concurrent run: it moves to `queued`. Watched: pipeline.yaml,
 * params files, stage modules and every dep no stage produces (outs of stages are not watched, so a
 * run's own writes do not trigger another run). Owns: the state machine. Does not own: running (repro.ts).
 */
import path from 'node:path';
import { err, ok, type Result } from './model/result.js';
import { loadPipeline, PIPELINE_FILE } from './config/load-spec.js';
import { openProject, type Project } from './project.js';
import { CodeClosure } from './code/code-closure.js';
import { isParsable } from './code/resolve-import.js';
import { isInside } from './model/brands.js';
import { repro, type ReproError, type ReproOptions } from './repro.js';

export type WatchState = 'watching' | 'debouncing' | 'running' | 'queued' | 'aborted';

export interface WatchOptions extends ReproOptions {
  debounceMs?: number;
  /** Observes state transitions (tests). */
  onState?: (state: WatchState) => void;
}

/** Runs until the signal aborts. Config errors during watching are reported and watching continues. */
export async function watchPipeline(project: Project, opts: WatchOptions): Promise<Result<void, ReproError>> {
  const root = project.root;
  const signal = opts.signal ?? new AbortController().signal;
  const { watch } = await import('chokidar');
  let state: WatchState = 'watching';
  const setState = (s: WatchState) => {
    state = s;
    opts.onState?.(s);
  };
  const watcher = watch(watchedPaths(root), { ignoreInitial: true, cwd: root });
  let timer: NodeJS.Timeout | undefined;
  let lastError: ReproError | undefined;

  const runOnce = async (): Promise<void> => {
    setState('running');
    // Re-opened for every run: pipeline.yaml and params are among the watched files.
    const opened = openProject({ root, runners: project.runners });
    const r = opened.ok
      ? await repro(opened.value, { ...opts, signal })
      : err<ReproError>({ kind: 'diagnostics', diagnostics: opened.error });
    if (!r.ok) {
      lastError = r.error;
      if (r.error.kind === 'diagnostics')
        opts.onEvent?.({ type: 'failure', reason: 'config-error', diagnostics: r.error.diagnostics });
    }
    const paths = watchedPaths(root);
    watcher.add(paths);
    if (signal.aborted) return;
    if (state === 'queued') schedule();
    else {
      setState('watching');
      opts.onEvent?.({ type: 'info', reason: 'watching', paths: paths.length });
    }
  };
  const schedule = () => {
    setState('debouncing');
    clearTimeout(timer);
    timer = setTimeout(() => void runOnce(), opts.debounceMs ?? 300);
  };
  const onChange = () => {
    if (state === 'running' || state === 'queued') setState('queued');
    else if (state !== 'aborted') schedule();
  };
  watcher.on('all', onChange);
  await new Promise<void>((resolve) => watcher.on('ready', () => resolve()));
  await runOnce();
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  setState('aborted');
  clearTimeout(timer);
  await watcher.close();
  return lastError?.kind === 'busy' ? err(lastError) : ok(undefined);
}

function watchedPaths(root: string): string[] {
  const loaded = loadPipeline(root, { allowMissingDeps: true });
  const paths = new Set<string>([PIPELINE_FILE]);
  if (!loaded.ok) return [...paths];
  const outs = loaded.value.spec.stages.flatMap((s) => s.outs.map((o) => o.path));
  for (const f of loaded.value.spec.params.keys()) paths.add(f);
  const code = new CodeClosure(root);
  for (const s of loaded.value.spec.stages) {
    if (s.command.kind === 'module') {
      paths.add(s.command.module);
      // The module's import closure and the package lock are deps too (code-closure.ts).
      for (const f of code.stageCode([s.command.module, ...s.deps.map((d) => d.path as string).filter(isParsable)])
        .files)
        paths.add(f.path);
      paths.add('package-lock.json');
    }
    for (const d of s.deps)
      if (!outs.some((o) => o === d.path || isInside(d.path, o) || isInside(o, d.path))) paths.add(d.path);
  }
  return [...paths].map((p) => p.split('/').join(path.sep));
}

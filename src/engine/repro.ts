/**
 * The programmatic `repro`: open the project, select and order stages, take the project mutex, schedule.
 * Used by the CLI and by `exp run` (which may pass another root and overridden params).
 * Owns: option defaults and `--force` semantics (only the named targets are forced; upstream runs only if
 * stale, downstream only if the forced stage's outs changed). Does not own: rendering.
 */
import os from 'node:os';
import { err, ok, type Result } from './model/result.js';
import type { Diagnostic } from './model/diagnostic.js';
import type { EventSink, SummaryEvent } from './model/events.js';
import { findProjectRoot } from './config/load-spec.js';
import { resolveTargets, selectStages } from './graph/select-targets.js';
import { topoOrder } from './graph/topo-order.js';
import { openWorkspace, type OpenOptions } from './workspace.js';
import { schedule } from './scheduler.js';
import { acquireProjectMutex } from './project-mutex.js';
import { defaultRunner } from './runner/index.js';
import type { StageRunner } from './runner/types.js';

export interface ReproOptions extends OpenOptions {
  /** Project root; default: the nearest directory with pipeline.yaml at or above `cwd`. */
  root?: string;
  cwd?: string;
  /** Stage names (or foreach/matrix base names); empty = the whole pipeline. */
  targets?: string[];
  /** Force the targets (all stages when there are no targets). */
  force?: boolean;
  singleItem?: boolean;
  downstream?: boolean;
  dry?: boolean;
  /** Parallel stages; default: number of cores. */
  jobs?: number;
  keepGoing?: boolean;
  /** Default true; false = --no-run-cache. */
  runCache?: boolean;
  /** Default true: wait for another repro in the same project; false fails at once. */
  wait?: boolean;
  signal?: AbortSignal;
  runner?: StageRunner;
  onEvent?: EventSink;
}

/** Why repro did not even start. */
export type ReproError = { kind: 'diagnostics'; diagnostics: Diagnostic[] } | { kind: 'busy'; pid: number };

export async function repro(opts: ReproOptions = {}): Promise<Result<SummaryEvent, ReproError>> {
  const emit = opts.onEvent ?? (() => {});
  const root = opts.root !== undefined ? ok(opts.root) : findProjectRoot(opts.cwd ?? process.cwd());
  if (!root.ok) return err({ kind: 'diagnostics', diagnostics: [root.error] });
  const rootDir = root.value;
  const signal = opts.signal ?? new AbortController().signal;

  const mutex = opts.dry ? undefined : await acquireProjectMutex(rootDir, { wait: opts.wait ?? true, signal, onWait: (pid) => emit({ type: 'info', reason: 'waiting-for-lock', pid }) });
  if (mutex && !mutex.ok) return err({ kind: 'busy', pid: mutex.heldBy });
  try {
    // Opened after taking the mutex so the lock we read is the one the previous run left.
    const ws = openWorkspace(rootDir, opts);
    if (!ws.ok) return err({ kind: 'diagnostics', diagnostics: ws.error });
    const targets = resolveTargets(ws.value.graph, opts.targets ?? []);
    if (!targets.ok) return err({ kind: 'diagnostics', diagnostics: [targets.error] });
    const selected = selectStages(ws.value.graph, targets.value, { singleItem: opts.singleItem ?? false, downstream: opts.downstream ?? false });
    const order = topoOrder(ws.value.graph, selected);
    const forced = new Set(opts.force ? (targets.value.length > 0 ? targets.value : order) : []);
    const summary = await schedule(ws.value, {
      order, forced, signal, emit,
      jobs: opts.jobs ?? os.availableParallelism(),
      policy: opts.keepGoing ? 'keep-going' : 'stop-new',
      runCache: opts.runCache ?? true,
      dry: opts.dry ?? false,
      runner: opts.runner ?? defaultRunner,
    });
    ws.value.hasher.save();
    emit(summary);
    return ok(summary);
  } finally {
    if (mutex?.ok) mutex.mutex.release();
  }
}

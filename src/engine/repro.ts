/**
 * The programmatic `repro` on an opened project: select and order stages, resolve each stage's executor,
 * take the project mutex, schedule. Used by the CLI, `--watch` and `exp run` (on a work directory).
 * Owns: option defaults and `--force` semantics (only the named targets are forced; upstream runs only if
 * stale, downstream only if the forced stage's outs changed). Does not own: opening the project, rendering.
 */
import os from 'node:os';
import { err, ok, type Result } from './model/result.js';
import type { Diagnostic } from './model/diagnostic.js';
import type { EventSink, SummaryEvent } from './model/events.js';
import { resolveTargets, selectStages } from './graph/select-targets.js';
import { topoOrder } from './graph/topo-order.js';
import { reloadLock, type Project } from './project.js';
import { schedule } from './scheduler.js';
import type { RemoteRunSource } from './execute-stage.js';
import { acquireProjectMutex } from './project-mutex.js';
import type { StageRunner } from './runner/types.js';
import type { StageSpec } from './model/spec.js';

export interface ReproOptions {
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
  /** Run every selected stage on this executor (--executor), whatever pipeline.yaml says. */
  executor?: string;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** --pull: before running a stale stage, look for its outs or a matching run on this remote (loadRemotes().remoteRunSource). */
  remote?: RemoteRunSource;
}

/** Why repro did not even start. */
export type ReproError = { kind: 'diagnostics'; diagnostics: Diagnostic[] } | { kind: 'busy'; pid: number };

export async function repro(project: Project, opts: ReproOptions = {}): Promise<Result<SummaryEvent, ReproError>> {
  const emit = opts.onEvent ?? (() => {});
  const signal = opts.signal ?? new AbortController().signal;
  const targets = resolveTargets(project.graph, opts.targets ?? []);
  if (!targets.ok) return err({ kind: 'diagnostics', diagnostics: [targets.error] });
  const selected = selectStages(project.graph, targets.value, {
    singleItem: opts.singleItem ?? false,
    downstream: opts.downstream ?? false,
  });
  const order = topoOrder(project.graph, selected);
  const runners = project.runners.resolve(
    order.map((n) => project.graph.byName.get(n)).filter((s) => s !== undefined),
    opts.executor,
  );
  if (!runners.ok) return err({ kind: 'diagnostics', diagnostics: runners.error });
  if (!opts.dry) {
    const problems = await checkRunners(project, runners.value);
    if (problems.length > 0) return err({ kind: 'diagnostics', diagnostics: problems });
  }

  const mutex = opts.dry
    ? undefined
    : await acquireProjectMutex(project.root, {
        wait: opts.wait ?? true,
        signal,
        onWait: (pid) => emit({ type: 'info', reason: 'waiting-for-lock', pid }),
      });
  if (mutex && !mutex.ok) return err({ kind: 'busy', pid: mutex.heldBy });
  try {
    // The lock on disk is now the one the previous run (which we may have waited for) left.
    const reloaded = reloadLock(project);
    if (!reloaded.ok) return err({ kind: 'diagnostics', diagnostics: reloaded.error });
    const forced = new Set(opts.force ? (targets.value.length > 0 ? targets.value : order) : []);
    const summary = await schedule(project, {
      order,
      forced,
      signal,
      emit,
      jobs: opts.jobs ?? os.availableParallelism(),
      policy: opts.keepGoing ? 'keep-going' : 'stop-new',
      runCache: opts.runCache ?? true,
      dry: opts.dry ?? false,
      runners: runners.value,
      ...(opts.remote ? { remote: opts.remote } : {}),
    });
    project.hasher.save();
    emit(summary);
    return ok(summary);
  } finally {
    if (mutex?.ok) mutex.mutex.release();
  }
}

/** Lets each runner that has a `check` (remote executors) validate its settings for its stages. */
async function checkRunners(project: Project, runners: ReadonlyMap<string, StageRunner>): Promise<Diagnostic[]> {
  const byRunner = new Map<StageRunner, StageSpec[]>();
  for (const [name, runner] of runners) {
    const stage = project.graph.byName.get(name);
    if (runner.check && stage) byRunner.set(runner, [...(byRunner.get(runner) ?? []), stage]);
  }
  const problems: Diagnostic[] = [];
  for (const [runner, stages] of byRunner) problems.push(...((await runner.check?.(project.root, stages)) ?? []));
  return problems;
}

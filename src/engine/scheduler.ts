/**
 * Runs the selected stages in dependency order, independent ones in parallel (p-queue, `jobs` at a time).
 * Failure policy: 'stop-new' (default) lets running stages finish but starts nothing new; 'keep-going'
 * (`-k`) only blocks the failed stage's dependents. Aborting the signal (Ctrl-C) kills running stages and
 * starts nothing more. Each stage commits itself as soon as it succeeds (execute-stage.ts).
 * Owns: ordering, concurrency, policy and the summary. Does not own: what happens inside a stage.
 */
import PQueue from 'p-queue';
import type { EventSink, SummaryEvent } from './model/events.js';
import type { StageRunner } from './runner/types.js';
import { executeStage, type RemoteRunSource, type StageOutcome } from './execute-stage.js';
import type { Workspace } from './workspace.js';

export type FailurePolicy = 'stop-new' | 'keep-going';

export interface ScheduleOptions {
  /** Stages to process, in topological order. */
  order: readonly string[];
  forced: ReadonlySet<string>;
  jobs: number;
  policy: FailurePolicy;
  runCache: boolean;
  dry: boolean;
  signal: AbortSignal;
  /** The runner of every stage in `order` (resolved by the runner registry). */
  runners: ReadonlyMap<string, StageRunner>;
  emit: EventSink;
  /** `repro --pull`: the remote consulted before running a stale stage. */
  remote?: RemoteRunSource;
}

export async function schedule(ws: Workspace, opts: ScheduleOptions): Promise<SummaryEvent> {
  const started = Date.now();
  const queue = new PQueue({ concurrency: Math.max(1, opts.jobs) });
  const selected = new Set(opts.order);
  const outcomes = new Map<string, Promise<StageOutcome>>();
  let firstFailure: string | undefined;
  const summary: SummaryEvent = {
    type: 'summary',
    reason: 'repro-done',
    ran: [],
    restored: [],
    upToDate: [],
    failed: [],
    durationMs: 0,
    interrupted: false,
    dry: opts.dry,
  };

  const processStage = async (name: string): Promise<StageOutcome> => {
    const ups = [...(ws.graph.upstream.get(name) ?? [])].filter((u) => selected.has(u));
    const upOutcomes = await Promise.all(ups.map((u) => outcomes.get(u) as Promise<StageOutcome>));
    const failedUp = ups.find((_, i) => upOutcomes[i] === 'failed' || upOutcomes[i] === 'cancelled');
    if (failedUp !== undefined) {
      opts.emit({ type: 'failure', reason: 'blocked', stage: name, by: failedUp });
      return 'failed';
    }
    const wouldRun = ups.find((_, i) => upOutcomes[i] === 'would-run');
    return queue.add(async (): Promise<StageOutcome> => {
      if (opts.signal.aborted) {
        opts.emit({ type: 'failure', reason: 'cancelled', stage: name });
        return 'cancelled';
      }
      if (firstFailure !== undefined && opts.policy === 'stop-new') {
        opts.emit({ type: 'failure', reason: 'blocked', stage: name, by: firstFailure });
        return 'failed';
      }
      const stage = ws.graph.byName.get(name);
      const runner = opts.runners.get(name);
      if (!stage || !runner) throw new Error(`unknown stage ${name}`);
      let outcome: StageOutcome;
      try {
        outcome = await executeStage(ws, stage, {
          forced: opts.forced.has(name),
          runCache: opts.runCache,
          dry: opts.dry,
          signal: opts.signal,
          runner,
          emit: opts.emit,
          ...(wouldRun !== undefined ? { upstreamWouldRun: wouldRun } : {}),
          ...(opts.remote ? { remote: opts.remote } : {}),
        });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        opts.emit({
          type: 'failure',
          reason: 'internal-error',
          stage: name,
          message: error.message,
          ...(error.stack ? { stack: error.stack } : {}),
        });
        outcome = 'failed';
      }
      if (outcome === 'failed') firstFailure ??= name;
      return outcome;
    }) as Promise<StageOutcome>;
  };

  for (const name of opts.order) outcomes.set(name, processStage(name));
  const names = [...outcomes.keys()];
  const results = await Promise.all(outcomes.values());
  results.forEach((r, i) => {
    const name = names[i];
    if (r === 'ran' || r === 'would-run') summary.ran.push(name);
    else if (r === 'restored') summary.restored.push(name);
    else if (r === 'up-to-date' || r === 'frozen') summary.upToDate.push(name);
    else summary.failed.push(name);
  });
  summary.interrupted = opts.signal.aborted;
  summary.durationMs = Date.now() - started;
  return summary;
}

/**
 * The runner contract: how the scheduler asks for one stage to be executed.
 * Owns: StageRunner, its request/outcome types, and how a process exit maps to a failure. Does not own:
 * spawning or killing processes.
 */
import type { FailureEvent, InfoEvent } from '../model/events.js';
import type { StageSpec } from '../model/spec.js';
import type { StageKey } from '../model/brands.js';
import type { Diagnostic } from '../model/diagnostic.js';

export interface RunRequest {
  stage: StageSpec;
  /** Absolute project root. */
  root: string;
  /** Nested, restricted params for a module stage. */
  params: Record<string, unknown>;
  signal: AbortSignal;
  /** Log and progress events from the stage. */
  onEvent(event: InfoEvent): void;
  /**
   * The run-cache key of this run (definition + inputs), when known. A remote executor uses it to find a
   * job it submitted for the same work before the coordinator died, instead of submitting a duplicate.
   */
  key?: StageKey;
}

export type RunOutcome = { ok: true } | { ok: false; failure: FailureEvent };

/** How a stage's process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The failure of a stage process that ended by a signal or without success (exit code, -1 when unknown). */
export function exitFailure(stage: string, command: string, exit: ProcessExit, stderrTail: string[]): RunOutcome {
  const failure: FailureEvent = exit.signal
    ? { type: 'failure', reason: 'signal', stage, command, signal: exit.signal, stderrTail }
    : { type: 'failure', reason: 'exit-non-zero', stage, command, exitCode: exit.code ?? -1, stderrTail };
  return { ok: false, failure };
}

/** Executes one stage to completion (or failure). Never throws for a stage's own failure. */
export interface StageRunner {
  run(request: RunRequest): Promise<RunOutcome>;
  /**
   * The runner removes the stage's non-persist outs itself, where the stage runs (a cluster job). The
   * coordinator then leaves them alone, so it can re-attach to a job that is already writing them.
   */
  readonly preparesOuts?: boolean;
  /** Checks settings before anything runs (config, client tools); problems are exit-2 diagnostics. */
  check?(root: string, stages: readonly StageSpec[]): Promise<Diagnostic[]>;
}

/** Shown as the stage's "command" in messages. */
export function describeCommand(stage: StageSpec): string {
  return stage.command.kind === 'cmd' ? stage.command.cmd : `module ${stage.command.declared}`;
}

/**
 * The runner contract: how the scheduler asks for one stage to be executed.
 * Owns: StageRunner and its request/outcome types. Does not own: any process handling.
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

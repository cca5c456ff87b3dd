/**
 * The runner contract: how the scheduler asks for one stage to be executed.
 * Owns: StageRunner and its request/outcome types. Does not own: any process handling.
 */
import type { FailureEvent, InfoEvent } from '../model/events.js';
import type { StageSpec } from '../model/spec.js';

export interface RunRequest {
  stage: StageSpec;
  /** Absolute project root. */
  root: string;
  /** Nested, restricted params for a module stage. */
  params: Record<string, unknown>;
  signal: AbortSignal;
  /** Log and progress events from the stage. */
  onEvent(event: InfoEvent): void;
}

export type RunOutcome = { ok: true } | { ok: false; failure: FailureEvent };

/** Executes one stage to completion (or failure). Never throws for a stage's own failure. */
export interface StageRunner {
  run(request: RunRequest): Promise<RunOutcome>;
}

/** Shown as the stage's "command" in messages. */
export function describeCommand(stage: StageSpec): string {
  return stage.command.kind === 'cmd' ? stage.command.cmd : `module ${stage.command.declared}`;
}

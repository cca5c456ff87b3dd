/**
 * Everything the engine reports while it works, as one discriminated union. The CLI renders these in one
 * place (cli/render/text.ts, exhaustive) and `--json` prints them as NDJSON, so the two cannot drift.
 * Owns: the event vocabulary. Does not own: wording or formatting.
 */
import type { CodeWarning, StaleReason } from './reasons.js';
import type { Diagnostic } from './diagnostic.js';

/** A live progress sample of one stage's current phase. */
export interface ProgressSample {
  stage: string;
  label: string;
  done: number;
  total: number;
  unit: string;
  /** Units per second since the phase started (0 until measurable). */
  rate: number;
  /** Seconds left at the current rate, or undefined when unknown. */
  etaSeconds: number | undefined;
}

/** Informational events: something is about to happen or is happening. */
export type InfoEvent =
  /** Another xpipe repro holds the project mutex; this one waits. */
  | { type: 'info'; reason: 'waiting-for-lock'; pid: number }
  /** --watch: idle, waiting for changes to `paths` watched files and folders. */
  | { type: 'info'; reason: 'watching'; paths: number }
  | { type: 'info'; reason: 'running'; stage: string; reasons: StaleReason[]; command: string }
  /** --dry: the stage would run. */
  | { type: 'info'; reason: 'would-run'; stage: string; reasons: StaleReason[] }
  /** --dry: the stage's outs would be restored. */
  | { type: 'info'; reason: 'would-restore'; stage: string; from: 'cache' | 'run-cache' }
  /** Something in a module stage's code the engine cannot follow (a non-literal import(), ...). */
  | { type: 'info'; reason: 'code-warning'; stage: string; warning: CodeWarning }
  | { type: 'info'; reason: 'log'; stage: string; level: 'info' | 'warn' | 'stdout' | 'stderr'; message: string }
  | ({ type: 'info'; reason: 'progress' } & ProgressSample)
  /**
   * A cached object needed to restore `out` of `stage` failed verification (`corrupt`: its bytes do not
   * match its id, and it was moved to `movedTo`; `unreadable`; or `missing`). Nothing was restored from
   * it; with `rerun` the stage runs instead (repro), otherwise the out stays unrestored (checkout).
   * Paths are relative to the project root.
   */
  | {
      type: 'info';
      reason: 'corrupt-object';
      stage: string;
      out: string;
      object: string;
      problem: 'corrupt' | 'unreadable' | 'missing';
      movedTo?: string;
      error?: string;
      rerun: boolean;
    }
  | { type: 'info'; reason: 'progress-done'; stage: string; label: string; summary?: string; seconds: number }
  /**
   * A stage's cluster job changed state (`SUBMITTED`, `PENDING`, `RUNNING`, `COMPLETED`, ...), or is still
   * running (`elapsedSeconds`). `attached`: a job submitted by an earlier, interrupted xpipe for the same
   * work, followed instead of submitting a duplicate. `log` is the job's log, relative to the project root.
   */
  | {
      type: 'info';
      reason: 'cluster-job';
      stage: string;
      executor: string;
      jobId: string;
      state: string;
      elapsedSeconds?: number;
      attached?: boolean;
      log?: string;
    };

/** A stage finished well (or had nothing to do). */
export type SuccessEvent =
  | { type: 'success'; reason: 'ran'; stage: string; durationMs: number }
  | { type: 'success'; reason: 'up-to-date'; stage: string }
  | { type: 'success'; reason: 'frozen'; stage: string }
  /** Outs were missing from the workspace and restored from the cache per pipeline.lock (fetched from `remote` first with --pull). */
  | { type: 'success'; reason: 'restored-cache'; stage: string; paths: string[]; remote?: string }
  /** Inputs matched an earlier run; its outs were restored instead of running (from `remote`'s run cache with --pull). */
  | { type: 'success'; reason: 'restored-run-cache'; stage: string; remote?: string };

/** A stage failed or could not run. */
export type FailureEvent =
  | { type: 'failure'; reason: 'exit-non-zero'; stage: string; command: string; exitCode: number; stderrTail: string[] }
  | { type: 'failure'; reason: 'signal'; stage: string; command: string; signal: string; stderrTail: string[] }
  | { type: 'failure'; reason: 'missing-outs'; stage: string; paths: string[] }
  /** A dep is absent when the stage is about to run. */
  | { type: 'failure'; reason: 'missing-deps'; stage: string; paths: string[] }
  /** The stage module threw StageInputError: bad params or data, shown without a stack. */
  | { type: 'failure'; reason: 'stage-input-error'; stage: string; message: string }
  /** The stage module threw any other error. */
  | { type: 'failure'; reason: 'stage-error'; stage: string; message: string; stack?: string }
  /** Not started because an upstream stage failed (or the run stopped after a failure). */
  | { type: 'failure'; reason: 'blocked'; stage: string; by: string }
  /** Killed or not started because the run was interrupted (Ctrl-C). */
  | { type: 'failure'; reason: 'cancelled'; stage: string }
  | { type: 'failure'; reason: 'internal-error'; stage?: string; message: string; stack?: string }
  /**
   * The stage's cluster job did not produce a usable result: `state` is the scheduler's (`FAILED`,
   * `TIMEOUT`, `OUT_OF_MEMORY`, `CANCELLED`, ...) or xpipe's (`SUBMIT_FAILED`, `RESULT_MISMATCH`,
   * `NO_RESULT`); `exitCode`/`signal` are the job's, `detail` what the stage itself reported, `logTail` the
   * last lines of `log` (relative to the project root).
   */
  | {
      type: 'failure';
      reason: 'cluster-job';
      stage: string;
      executor: string;
      jobId?: string;
      state: string;
      exitCode?: number;
      signal?: number;
      slurmReason?: string;
      detail?: string;
      log?: string;
      logTail: string[];
    }
  /** --watch: pipeline.yaml or params became invalid; watching continues until it is fixed. */
  | { type: 'failure'; reason: 'config-error'; diagnostics: Diagnostic[] };

/** The end of a repro. */
export interface SummaryEvent {
  type: 'summary';
  reason: 'repro-done';
  ran: string[];
  restored: string[];
  upToDate: string[];
  failed: string[];
  durationMs: number;
  interrupted: boolean;
  dry: boolean;
}

export type EngineEvent = InfoEvent | SuccessEvent | FailureEvent | SummaryEvent;

/** Receives events as they happen. */
export type EventSink = (event: EngineEvent) => void;

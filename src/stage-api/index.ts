/**
 * The stage API: everything a stage module (`stages/*.ts`, or a user's own) imports.
 *
 * Owns: the `defineStage` helper and the `StageContext` a stage's `run` receives.
 * Does not own: how the context is built or how a stage process talks to the runner (the engine's
 * runner does that). A stage never imports the engine; the engine never imports a stage's code.
 *
 * A stage module looks like:
 *
 * ```ts
 * import { defineStage } from '../src/stage-api/index.js';
 * export default defineStage({
 *   async run(ctx) {
 *     const epochs = ctx.params.train; // validated by the stage itself
 *     ctx.progress.start({ label: 'epoch 1/10', total: 2000, unit: 'img' });
 *     ...
 *   },
 * });
 * ```
 */

/** Messages a stage writes for the person running the pipeline. Never use console directly in a stage. */
export interface StageLogger {
  info(message: string): void;
  warn(message: string): void;
}

/** Options for one phase of measurable work (an epoch, a pass over the images). */
export interface ProgressStart {
  /** Shown before the bar, e.g. `epoch 3/20` or `preprocess train`. */
  label: string;
  /** Units of work in this phase; the runner derives percentage, rate and ETA from it. */
  total: number;
  /** What one unit is, for the rate: `img`, `file`, `step`. */
  unit?: string;
}

/**
 * Reports progress of long work. The runner renders one live line with rate and ETA
 * (e.g. `train  epoch 3/20  ████░░░░ 45%  312 img/s  ETA 0:42`). Calls are cheap and throttled.
 */
export interface ProgressReporter {
  start(phase: ProgressStart): void;
  /** Adds `n` (default 1) finished units to the current phase. */
  tick(n?: number): void;
  /** Sets the number of finished units of the current phase. */
  update(done: number): void;
  /** Ends the current phase; `summary` (e.g. `val_auc 0.91`) is kept in the log. */
  done(summary?: string): void;
}

/** What a stage's `run` receives. */
export interface StageContext {
  /** Stage name as in pipeline.yaml, with its foreach/matrix key, e.g. `train@lr-0.01`. */
  readonly name: string;
  /** Absolute path of the project (the folder holding pipeline.yaml). */
  readonly root: string;
  /** Absolute working directory of the stage (`wdir`, default the project root); also the process cwd. */
  readonly wdir: string;
  /**
   * The stage's declared params, nested as in params.yaml but restricted to what the stage declares:
   * `params: [train, model.arch]` gives `{ train: {...}, model: { arch: 'chestnet_s' } }`.
   * Typed as unknown: the stage validates what it uses. Undeclared params are absent on purpose:
   * a stage that read them would not re-run when they change.
   */
  readonly params: Readonly<Record<string, unknown>>;
  /** Declared paths, relative to `wdir`, as written in pipeline.yaml after interpolation. */
  readonly deps: readonly string[];
  readonly outs: readonly string[];
  readonly metrics: readonly string[];
  readonly plots: readonly string[];
  /**
   * Absolute directory for state that must survive this stage's runs but is not an out: training
   * checkpoints to resume from, a per-image cache. `.xpipe/scratch/<stage>/` (git-ignored), created before
   * `run` starts, never part of the cache or the lock; `xpipe gc --scratch` clears it. Key what you keep
   * in it by what produced it: the stage may run with other params or inputs next time.
   */
  readonly scratchDir: string;
  /** Resolves a path relative to `wdir` to an absolute path. */
  path(relative: string): string;
  readonly log: StageLogger;
  readonly progress: ProgressReporter;
  /** Aborted when the run is cancelled (Ctrl-C, or a failure elsewhere with the `kill` policy). */
  readonly signal: AbortSignal;
}

/** A stage module's default export. */
export interface StageDefinition {
  /** Does the stage's work. Throwing (or rejecting) fails the stage; the message is shown to the user. */
  run(ctx: StageContext): Promise<void> | void;
}

/** Identity helper that gives a stage module its types. */
export function defineStage(definition: StageDefinition): StageDefinition {
  return definition;
}

/**
 * An error a stage raises for bad input it was given (params, data). The runner shows its message as
 * a one-paragraph error without a stack trace; any other exception is shown as an internal error.
 */
export class StageInputError extends Error {
  override readonly name = 'StageInputError';
}

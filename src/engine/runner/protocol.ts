/**
 * The IPC messages between the runner (parent) and a stage host (child process).
 * Owns: the message shapes only.
 */

/** parent → child: what to run and the context to build. */
export interface InitMessage {
  type: 'init';
  /** Absolute path of the stage module (.ts or .js). */
  modulePath: string;
  name: string;
  root: string;
  wdir: string;
  params: Record<string, unknown>;
  deps: string[];
  outs: string[];
  metrics: string[];
  plots: string[];
  /** Absolute scratch directory of the stage (exists). */
  scratchDir: string;
}

/** parent → child: cancel (ctx.signal is aborted; the process group is killed after a grace period). */
export interface AbortMessage {
  type: 'abort';
}

export type ParentMessage = InitMessage | AbortMessage;

/** child → parent. */
export type ChildMessage =
  | { type: 'log'; level: 'info' | 'warn'; message: string }
  | { type: 'progress-start'; label: string; total: number; unit: string }
  | { type: 'progress-update'; done: number }
  | { type: 'progress-done'; summary?: string }
  | { type: 'result'; ok: true }
  | { type: 'result'; ok: false; kind: 'input' | 'error'; message: string; stack?: string };

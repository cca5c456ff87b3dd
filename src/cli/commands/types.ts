/**
 * The contract of a CLI command: a typed option table, help text with examples, and `run`, which returns
 * an exit code instead of exiting. Owns: those types. See src/cli/README.md for how to add a command.
 */
import type { ParsedArgs } from '../args.js';

/** 0 ok, 1 stale/failed stage or `status --check` drift, 2 usage or config error, 130 interrupted. */
export type ExitCode = 0 | 1 | 2 | 130;

/** One option of a command. `--no-x` style flags are declared under their full name (`no-run-cache`). */
export interface OptionSpec {
  name: string;
  short?: string;
  type: 'boolean' | 'string' | 'number';
  /** For string/number options: the placeholder shown in help, e.g. `N`. */
  arg?: string;
  description: string;
  /** May be given several times; every value is kept in `ParsedArgs.lists[name]`. */
  repeatable?: boolean;
}

/** What a command prints to and reads from; tests substitute all of it. */
export interface CommandIO {
  cwd: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** stdout is a terminal: live progress lines and colours are allowed. */
  isTTY: boolean;
  /** Aborted on Ctrl-C (SIGINT) / SIGTERM. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. `xpipe repro [STAGE...] [options]`. */
  usage: string;
  description?: string;
  options: readonly OptionSpec[];
  /** Accepts positional arguments (stage names, revisions...). */
  positionals: boolean;
  examples: readonly { command: string; description: string }[];
  run(args: ParsedArgs, io: CommandIO): Promise<ExitCode>;
}

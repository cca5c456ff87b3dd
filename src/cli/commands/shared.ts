/**
 * Helpers shared by command modules: printing diagnostics and mapping engine errors to exit codes.
 */
import type { Diagnostic } from '../../engine/index.js';
import type { ReproError } from '../../engine/index.js';
import { formatDiagnostic } from '../render/diagnostic.js';
import type { CommandIO, ExitCode } from './types.js';

/** Prints diagnostics to stderr; returns exit code 2 (bad input). */
export function printDiagnostics(io: CommandIO, diagnostics: readonly Diagnostic[]): ExitCode {
  for (const d of diagnostics) io.stderr.write(formatDiagnostic(d));
  return 2;
}

/** Prints why a command could not start; returns its exit code. */
export function printStartError(io: CommandIO, e: ReproError): ExitCode {
  if (e.kind === 'diagnostics') return printDiagnostics(io, e.diagnostics);
  io.stderr.write(
    `error: another xpipe process (pid ${e.pid}) is working in this project and --no-wait was given. Wait for it to finish, or run without --no-wait to queue behind it.\n`,
  );
  return 1;
}

/**
 * Helpers shared by command modules: printing diagnostics and mapping engine errors to exit codes.
 */
import type { Diagnostic, EngineEvent } from '../../engine/index.js';
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

/** Writes the "waiting for another xpipe" line when the engine reports the project mutex is held; true if it did. */
export function reportLockWait(io: CommandIO, e: EngineEvent): boolean {
  if (e.type !== 'info' || e.reason !== 'waiting-for-lock') return false;
  io.stderr.write(`waiting for another xpipe process (pid ${e.pid})...\n`);
  return true;
}

const PROGRESS_MS = 200;

/** A progress callback redrawing one terminal line, at most every 200 ms but always for the last update. */
export function liveProgressLine<P extends { doneObjects: number; totalObjects: number }>(
  io: CommandIO,
  format: (p: P) => string,
): (p: P) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < PROGRESS_MS && p.doneObjects < p.totalObjects) return;
    last = now;
    io.stdout.write(`\r\x1b[2K${format(p)}`);
  };
}

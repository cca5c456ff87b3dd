/**
 * What `xpipe push`, `fetch` and `pull` share: their option table, argument checks, the live progress line,
 * and mapping a RemoteOpError to its message and exit code (2 bad input, 1 remote failure or busy).
 */
import type { ParsedArgs } from '../args.js';
import type { RemoteOpError, TransferCommandOptions } from '../../engine/index.js';
import type { CommandIO, ExitCode, OptionSpec } from './types.js';
import { liveProgressLine, printDiagnostics, printStartError, reportLockWait } from './shared.js';

export const TRANSFER_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'remote',
    short: 'r',
    type: 'string',
    arg: 'NAME',
    description: 'The remote to use (default: the one set with "xpipe remote default")',
  },
  {
    name: 'jobs',
    short: 'j',
    type: 'number',
    arg: 'N',
    description: "Parallel transfers (default: the remote's jobs setting, else 4 for a path remote)",
  },
  {
    name: 'run-cache',
    type: 'boolean',
    description: 'Also transfer run-cache records (each only once all its objects are there)',
  },
  { name: 'no-wait', type: 'boolean', description: 'Fail at once if another xpipe process works in this project' },
  { name: 'json', type: 'boolean', description: 'Print the report as JSON' },
];

/** The engine options the three commands share, or the exit code of a usage error. */
export async function transferOptions(args: ParsedArgs, io: CommandIO): Promise<TransferCommandOptions | ExitCode> {
  const o = args.options;
  if (o['jobs'] !== undefined && (typeof o['jobs'] !== 'number' || o['jobs'] < 1)) {
    io.stderr.write(`error: expected a positive integer for --jobs, got ${String(o['jobs'])}.\n`);
    return 2;
  }
  const { formatTransferProgress } = await import('../render/remote-views.js');
  const live = io.isTTY && o['json'] !== true;
  return {
    targets: args.positionals,
    wait: o['no-wait'] !== true,
    runCache: o['run-cache'] === true,
    ...(typeof o['remote'] === 'string' ? { remote: o['remote'] } : {}),
    ...(typeof o['jobs'] === 'number' ? { jobs: o['jobs'] } : {}),
    onEvent: (e) => void reportLockWait(io, e),
    ...(live ? { onProgress: liveProgressLine(io, formatTransferProgress) } : {}),
  };
}

/** Clears the live progress line. */
export function endLive(io: CommandIO, args: ParsedArgs): void {
  if (io.isTTY && args.options['json'] !== true) io.stdout.write('\r\x1b[2K');
}

/** Prints why a remote operation failed; returns its exit code. */
export async function printRemoteError(io: CommandIO, e: RemoteOpError): Promise<ExitCode> {
  if (e.kind !== 'remote') return printStartError(io, e);
  const { formatRemoteFailure } = await import('../render/remote-views.js');
  io.stderr.write(`${formatRemoteFailure(e.failure)}\n`);
  return 1;
}

/** The whole of `xpipe push` and `xpipe fetch`: they differ only in the engine operation they call. */
export async function runTransfer(op: 'push' | 'fetch', args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const opts = await transferOptions(args, io);
  if (typeof opts === 'number') return opts;
  const { openProject, loadRemotes } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const r = await (await loadRemotes())[op](project.value, opts);
  endLive(io, args);
  if (!r.ok) return printRemoteError(io, r.error);
  const { formatTransferReport } = await import('../render/remote-views.js');
  io.stdout.write(
    args.options['json'] ? `${JSON.stringify({ type: op, ...r.value })}\n` : formatTransferReport(r.value),
  );
  return r.value.problems.length > 0 ? 1 : 0;
}

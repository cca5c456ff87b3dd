/**
 * `xpipe cache verify`: hash every object in cache/, list corrupt (moved to cache/.corrupt/) and
 * unreadable ones; exit 1 if any.
 */
import type { Command, ExitCode } from './types.js';
import { liveProgressLine, printDiagnostics, printStartError, reportLockWait } from './shared.js';

const command: Command = {
  name: 'cache',
  summary: 'Check every cache object against its hash (cache verify)',
  usage: 'xpipe cache verify [--jobs N] [--json]',
  description:
    'Reads and hashes every object under cache/. An object whose bytes do not match its hash is moved to cache/.corrupt/ ' +
    '(never deleted) so it is not restored again; the outs that used it are rebuilt by the next "xpipe repro". Exit code 1 when any object is corrupt or unreadable.',
  positionals: true,
  options: [
    { name: 'jobs', short: 'j', type: 'number', arg: 'N', description: 'Objects hashed concurrently (default 4)' },
    { name: 'json', type: 'boolean', description: 'Print the report as JSON' },
  ],
  examples: [
    { command: 'xpipe cache verify', description: 'Check the whole cache, with a progress line' },
    { command: 'xpipe cache verify --json', description: 'Machine-readable report (corrupt and unreadable objects)' },
  ],
  async run(args, io): Promise<ExitCode> {
    const [sub, ...rest] = args.positionals;
    if (sub !== 'verify' || rest.length > 0) {
      io.stderr.write(
        `error: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${[sub, ...rest].join(' ')}"`}: use "xpipe cache verify [--jobs N] [--json]".\n`,
      );
      return 2;
    }
    const jobs = args.options['jobs'];
    if (jobs !== undefined && (typeof jobs !== 'number' || !Number.isInteger(jobs) || jobs < 1)) {
      io.stderr.write(`error: expected a positive integer for --jobs, got ${String(jobs)}.\n`);
      return 2;
    }
    const { openProject, verifyCache } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
    if (!project.ok) return printDiagnostics(io, project.error);
    const { formatVerifyProgress, formatVerifyReport } = await import('../render/cache-views.js');
    const json = args.options['json'] === true;
    const live = io.isTTY && !json;
    const r = await verifyCache(project.value, {
      ...(typeof jobs === 'number' ? { jobs } : {}),
      onEvent: (e) => void reportLockWait(io, e),
      ...(live ? { onProgress: liveProgressLine(io, formatVerifyProgress) } : {}),
    });
    if (live) io.stdout.write('\r\x1b[2K');
    if (!r.ok) return printStartError(io, r.error);
    const rep = r.value;
    if (json) io.stdout.write(`${JSON.stringify({ type: 'cache-verify', ...rep })}\n`);
    else io.stdout.write(formatVerifyReport(rep));
    return rep.corrupt.length + rep.unreadable.length > 0 ? 1 : 0;
  },
};

export default command;

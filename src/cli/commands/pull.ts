/**
 * `xpipe pull`: fetch, then restore the outs from cache/ into the workspace (verified checkout).
 */
import type { Command, ExitCode } from './types.js';
import { printDiagnostics } from './shared.js';
import { endLive, printRemoteError, TRANSFER_OPTIONS, transferOptions } from './transfer-shared.js';

const command: Command = {
  name: 'pull',
  summary: 'Fetch the outs recorded in pipeline.lock from a remote and restore them into the workspace',
  usage: 'xpipe pull [STAGE...] [-r NAME] [-j N] [--run-cache] [--json]',
  description: [
    '"xpipe fetch" followed by "xpipe checkout": every object is verified before it enters cache/ and again before',
    'it enters the workspace. An out the remote cannot deliver (missing or corrupt there) is reported with its',
    'stage and exit code 1; every other out is still restored. On a fresh clone, "xpipe pull" then',
    '"xpipe status --check" proves the workspace matches pipeline.lock.',
  ].join('\n'),
  positionals: true,
  options: TRANSFER_OPTIONS,
  examples: [
    { command: 'xpipe pull', description: 'Get the data, models and metrics pipeline.lock records' },
    { command: 'xpipe pull evaluate -r nas', description: "Only evaluate's outs, from remote nas" },
  ],
  async run(args, io): Promise<ExitCode> {
    const opts = await transferOptions(args, io);
    if (typeof opts === 'number') return opts;
    const { openProject, loadRemotes } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
    if (!project.ok) return printDiagnostics(io, project.error);
    const { formatEvent } = await import('../render/text.js');
    const json = args.options['json'] === true;
    const r = await (
      await loadRemotes()
    ).pull(project.value, {
      ...opts,
      onEvent: (e) => {
        opts.onEvent?.(e);
        if (!json && e.type === 'info' && e.reason === 'corrupt-object') io.stderr.write(`${formatEvent(e) ?? ''}\n`);
      },
    });
    endLive(io, args);
    if (!r.ok) return printRemoteError(io, r.error);
    const { formatTransferReport, formatPullCheckout } = await import('../render/remote-views.js');
    const rep = r.value;
    if (json) io.stdout.write(`${JSON.stringify({ type: 'pull', ...rep })}\n`);
    else io.stdout.write(formatTransferReport(rep.fetch) + formatPullCheckout(rep));
    return rep.fetch.problems.length + rep.checkout.notInCache.length + rep.checkout.corrupt.length > 0 ? 1 : 0;
  },
};

export default command;

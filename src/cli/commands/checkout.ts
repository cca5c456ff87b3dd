/**
 * `xpipe checkout`: restore the outs recorded in pipeline.lock from the cache, verifying every object.
 * Exit 1 when an out could not be restored (not in cache, or a corrupt object).
 */
import type { Command, ExitCode } from './types.js';
import { printDiagnostics, printStartError, reportLockWait } from './shared.js';

const command: Command = {
  name: 'checkout',
  summary: 'Restore the outs recorded in pipeline.lock (of the given stages, default all) from the cache',
  usage: 'xpipe checkout [STAGE...] [--json]',
  positionals: true,
  options: [{ name: 'json', type: 'boolean', description: 'Print the report as JSON' }],
  examples: [
    { command: 'xpipe checkout', description: 'Put back every out that is missing or differs from pipeline.lock' },
    { command: 'xpipe checkout train', description: "Only train's outs" },
  ],
  async run(args, io): Promise<ExitCode> {
    const { openProject, checkout } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
    if (!project.ok) return printDiagnostics(io, project.error);
    const { formatEvent } = await import('../render/text.js');
    const json = args.options['json'] === true;
    const r = await checkout(project.value, {
      targets: args.positionals,
      onEvent: (e) => {
        if (!reportLockWait(io, e) && !json)
          io.stderr.write(`${formatEvent(e) ?? ''}
`);
      },
    });
    if (!r.ok) return printStartError(io, r.error);
    const rep = r.value;
    if (json) io.stdout.write(`${JSON.stringify({ type: 'checkout', ...rep })}\n`);
    else {
      for (const p of rep.restored) io.stdout.write(`restored ${p}\n`);
      for (const p of rep.notInCache) io.stderr.write(`not in cache: ${p} (run xpipe repro to rebuild it)\n`);
      if (rep.corrupt.length > 0)
        io.stderr.write(
          `could not restore (corrupt cache objects): ${rep.corrupt.map((c) => c.out).join(', ')}; run xpipe repro to rebuild them\n`,
        );
      io.stdout.write(
        `${rep.restored.length} restored, ${rep.unchanged.length} already up to date, ${rep.notInCache.length} not in cache${rep.corrupt.length > 0 ? `, ${rep.corrupt.length} corrupt` : ''}\n`,
      );
    }
    return rep.notInCache.length + rep.corrupt.length > 0 ? 1 : 0;
  },
};

export default command;

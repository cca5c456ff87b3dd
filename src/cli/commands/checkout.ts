/**
 * `xpipe checkout`: restore the outs recorded in pipeline.lock from the cache.
 */
import type { Command, ExitCode } from './types.js';
import { printDiagnostics, printStartError } from './shared.js';

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
    const r = await checkout(project.value, { targets: args.positionals, onEvent: (e) => e.type === 'info' && e.reason === 'waiting-for-lock' && io.stderr.write(`waiting for another xpipe process (pid ${e.pid})...\n`) });
    if (!r.ok) return printStartError(io, r.error);
    const rep = r.value;
    if (args.options['json']) io.stdout.write(`${JSON.stringify({ type: 'checkout', ...rep })}\n`);
    else {
      for (const p of rep.restored) io.stdout.write(`restored ${p}\n`);
      for (const p of rep.notInCache) io.stderr.write(`not in cache: ${p} (run xpipe repro to rebuild it)\n`);
      io.stdout.write(`${rep.restored.length} restored, ${rep.unchanged.length} already up to date, ${rep.notInCache.length} not in cache\n`);
    }
    return rep.notInCache.length > 0 ? 1 : 0;
  },
};

export default command;

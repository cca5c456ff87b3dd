/**
 * `xpipe gc`: remove unreferenced cache objects and prune the run cache.
 */
import type { Command, ExitCode } from './types.js';
import { printDiagnostics, printStartError } from './shared.js';

const command: Command = {
  name: 'gc',
  summary: 'Remove cache objects referenced neither by pipeline.lock nor by kept run-cache entries',
  usage: 'xpipe gc [--keep-runs N] [--scratch] [--dry] [--json]',
  positionals: false,
  options: [
    {
      name: 'keep-runs',
      type: 'number',
      arg: 'N',
      description: 'Keep the newest N run-cache entries per stage (default: all)',
    },
    {
      name: 'scratch',
      type: 'boolean',
      description: "Also delete the stages' scratch directories (.xpipe/scratch: checkpoints, per-image caches)",
    },
    { name: 'dry', short: 'n', type: 'boolean', description: 'Only list what would be removed' },
    { name: 'json', type: 'boolean', description: 'Print the report as JSON' },
  ],
  examples: [
    { command: 'xpipe gc --dry', description: 'Show what would be removed' },
    {
      command: 'xpipe gc --keep-runs 3',
      description: 'Keep 3 runs per stage in the run cache, drop the rest and their objects',
    },
  ],
  async run(args, io): Promise<ExitCode> {
    const { openProject, gc } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
    if (!project.ok) return printDiagnostics(io, project.error);
    const keep = args.options['keep-runs'];
    const dry = args.options['dry'] === true;
    const r = await gc(project.value, {
      dry,
      scratch: args.options['scratch'] === true,
      ...(typeof keep === 'number' ? { keepRuns: keep } : {}),
    });
    if (!r.ok) return printStartError(io, r.error);
    const rep = r.value;
    if (args.options['json']) io.stdout.write(`${JSON.stringify({ type: 'gc', dry, ...rep })}\n`);
    else {
      for (const dir of rep.removedScratch) io.stdout.write(`${dry ? 'would remove' : 'removed'} scratch ${dir}\n`);
      for (const run of rep.removedRuns)
        io.stdout.write(`${dry ? 'would remove' : 'removed'} run ${run.stage} ${run.key.slice(0, 12)}\n`);
      const mb = (rep.freedBytes / 1e6).toFixed(1);
      io.stdout.write(
        `${dry ? 'would remove' : 'removed'} ${rep.removedObjects} objects (${mb} MB) and ${rep.removedRuns.length} runs; kept ${rep.keptObjects} objects\n`,
      );
    }
    return 0;
  },
};

export default command;

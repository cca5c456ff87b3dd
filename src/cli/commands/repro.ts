/**
 * `xpipe repro`: run stale stages (text or --json events), or watch with --watch.
 */
import type { Command, ExitCode } from './types.js';
import type { OpenedRunSource } from '../../engine/index.js';
import { printDiagnostics, printStartError } from './shared.js';
import { printRemoteError } from './transfer-shared.js';

const command: Command = {
  name: 'repro',
  summary: 'Run the stale stages of the pipeline (or of the given stages and their upstream) in dependency order',
  usage: 'xpipe repro [STAGE...] [options]',
  description: [
    'A stage is stale when its definition, a dep, a param value or an out differs from pipeline.lock.',
    'Missing outs that the cache holds are restored instead of re-run, and a stage whose inputs match any',
    'earlier run is restored from the run cache. --force forces only the named stages: upstream stages still',
    'run only when stale (unlike DVC), and downstream stages re-run only if the forced outputs changed.',
  ].join('\n'),
  positionals: true,
  options: [
    {
      name: 'force',
      short: 'f',
      type: 'boolean',
      description: 'Run the named stages (all, without names) even if up to date',
    },
    { name: 'single-item', short: 's', type: 'boolean', description: 'Only the named stages, not their upstream' },
    { name: 'downstream', type: 'boolean', description: 'Also the stages downstream of the named ones' },
    { name: 'dry', short: 'n', type: 'boolean', description: 'Print what would run, run nothing' },
    {
      name: 'jobs',
      short: 'j',
      type: 'number',
      arg: 'N',
      description: 'Run up to N stages at once (default: number of cores)',
    },
    {
      name: 'executor',
      type: 'string',
      arg: 'NAME',
      description: "Run every selected stage on this executor (default: each stage's executor:, else local)",
    },
    {
      name: 'keep-going',
      short: 'k',
      type: 'boolean',
      description: 'After a failure, continue the independent branches',
    },
    { name: 'no-run-cache', type: 'boolean', description: 'Never restore from the run cache' },
    {
      name: 'pull',
      type: 'boolean',
      description: 'Before running a stale stage, fetch its outs or a matching run from the remote',
    },
    {
      name: 'remote',
      short: 'r',
      type: 'string',
      arg: 'NAME',
      description: 'With --pull: the remote (default: the default remote)',
    },
    { name: 'no-wait', type: 'boolean', description: 'Fail at once if another repro runs in this project' },
    {
      name: 'watch',
      short: 'w',
      type: 'boolean',
      description: 'Keep watching deps and params; re-run what becomes stale',
    },
    { name: 'json', type: 'boolean', description: 'Print NDJSON events instead of text' },
  ],
  examples: [
    { command: 'xpipe repro', description: 'Bring the whole pipeline up to date' },
    {
      command: 'xpipe repro train --force',
      description: 'Re-run train (not its upstream); downstream re-runs if the model changed',
    },
    { command: 'xpipe repro -n', description: 'Show what would run and why' },
    {
      command: 'xpipe repro --pull',
      description: 'Restore stages a teammate already ran (pushed with push --run-cache) instead of running them',
    },
    { command: 'xpipe repro --json | jq -c .', description: 'Machine-readable events' },
  ],
  async run(args, io): Promise<ExitCode> {
    const o = args.options;
    const { TextReporter } = await import('../render/text.js');
    const { JsonReporter } = await import('../render/json.js');
    const reporter = o['json'] ? new JsonReporter(io.stdout) : new TextReporter(io.stdout, io.stderr, io.isTTY);
    const { openProject, repro, watchPipeline, loadRemotes } = await import('../../engine/index.js');
    const project = openProject({ cwd: io.cwd });
    if (!project.ok) return printDiagnostics(io, project.error);
    let source: OpenedRunSource | undefined;
    if (o['pull'] && o['watch']) {
      io.stderr.write('error: --pull cannot be combined with --watch; run "xpipe repro --pull" once, then watch.\n');
      return 2;
    }
    if (o['pull']) {
      const rs = (await loadRemotes()).remoteRunSource(
        project.value,
        typeof o['remote'] === 'string' ? { remote: o['remote'] } : {},
      );
      if (!rs.ok) return printRemoteError(io, rs.error);
      source = rs.value;
    }
    const options = {
      targets: args.positionals,
      force: o['force'] === true,
      singleItem: o['single-item'] === true,
      downstream: o['downstream'] === true,
      dry: o['dry'] === true,
      keepGoing: o['keep-going'] === true,
      runCache: o['no-run-cache'] !== true,
      wait: o['no-wait'] !== true,
      signal: io.signal,
      onEvent: (e: Parameters<typeof reporter.handle>[0]) => reporter.handle(e),
      ...(typeof o['jobs'] === 'number' ? { jobs: Math.max(1, o['jobs']) } : {}),
      ...(typeof o['executor'] === 'string' ? { executor: o['executor'] } : {}),
      ...(source ? { remote: source } : {}),
    };
    if (o['watch']) {
      const r = await watchPipeline(project.value, options);
      return r.ok ? 0 : printStartError(io, r.error);
    }
    const result = await repro(project.value, options).finally(() => source?.close());
    if (reporter instanceof TextReporter) reporter.clearLive();
    if (!result.ok) return result.error.kind === 'busy' && io.signal.aborted ? 130 : printStartError(io, result.error);
    if (result.value.interrupted) return 130;
    return result.value.failed.length > 0 ? 1 : 0;
  },
};

export default command;

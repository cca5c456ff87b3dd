/**
 * `xpipe status`: stale stages with reasons; `--check` for CI (silent + exit 0 when consistent).
 */
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';
import { printRemoteError } from './transfer-shared.js';

const command: Command = {
  name: 'status',
  summary: 'Show which stages are stale and why; --check exits 1 when pipeline.lock does not match the workspace',
  usage: 'xpipe status [STAGE...] [--check] [--allow-missing] [--json] | status --cloud [STAGE...] [-r NAME] [--json]',
  description: [
    'With --allow-missing (CI on a fresh clone without data/ and cache/), outs and data deps that are absent',
    'are listed as "not present" and do not fail; definitions, params, present files and the lock\'s own',
    "chain (each dep hash equals the upstream stage's recorded out hash) are still checked.",
    'With --cloud, each cached out in pipeline.lock is compared between the workspace, cache/ and a remote, with',
    'the objects and bytes "xpipe push" and "xpipe pull" would move.',
  ].join('\n'),
  positionals: true,
  options: [
    {
      name: 'check',
      type: 'boolean',
      description: 'Print nothing and exit 0 when up to date; else print reasons and exit 1',
    },
    { name: 'allow-missing', type: 'boolean', description: 'Absent outs/data deps are "not present", not stale' },
    { name: 'json', type: 'boolean', description: 'One JSON object per stage (NDJSON); with --cloud one object' },
    {
      name: 'cloud',
      short: 'c',
      type: 'boolean',
      description: 'Compare the outs in the workspace, cache/ and a remote',
    },
    {
      name: 'remote',
      short: 'r',
      type: 'string',
      arg: 'NAME',
      description: 'With --cloud: the remote (default: the default remote)',
    },
  ],
  examples: [
    { command: 'xpipe status', description: 'List stale stages with reasons' },
    { command: 'xpipe status --check --allow-missing', description: 'CI: prove pipeline.lock matches a fresh clone' },
    { command: 'xpipe status --cloud -r nas', description: 'What push and pull would move to and from remote nas' },
  ],
  async run(args, io): Promise<ExitCode> {
    if (args.options['cloud']) return cloudStatus(args, io);
    const { openProject, status } = await import('../../engine/index.js');
    const { codeWarningKey, formatCodeWarning, formatReason } = await import('../render/reasons.js');
    const allowMissing = args.options['allow-missing'] === true;
    const project = openProject({ cwd: io.cwd, allowMissingDeps: allowMissing });
    if (!project.ok) return printDiagnostics(io, project.error);
    const r = status(project.value, { targets: args.positionals, allowMissing });
    if (!r.ok) return printDiagnostics(io, r.error);
    const stale = r.value.filter((s) => s.reasons.length > 0);
    if (args.options['json']) {
      for (const s of r.value)
        io.stdout.write(
          `${JSON.stringify({ type: 'status', stage: s.stage, stale: s.reasons.length > 0, frozen: s.frozen, reasons: s.reasons, notPresent: s.notPresent, warnings: s.warnings })}\n`,
        );
    } else {
      // Stages share files, so each warning is printed once; warnings never change the exit code.
      const seen = new Set<string>();
      for (const w of r.value.flatMap((s) => s.warnings)) {
        if (!seen.has(codeWarningKey(w))) io.stderr.write(`${formatCodeWarning(w)}\n`);
        seen.add(codeWarningKey(w));
      }
      if (!args.options['check'] || stale.length > 0) {
        for (const s of r.value) {
          if (s.reasons.length > 0) {
            io.stdout.write(`${s.stage}: stale\n${s.reasons.map((x) => `    ${formatReason(x)}\n`).join('')}`);
          }
          if (s.notPresent.length > 0 && !args.options['check'])
            io.stdout.write(`${s.stage}: not present: ${s.notPresent.join(', ')}\n`);
        }
        if (stale.length === 0) io.stdout.write('Pipeline is up to date.\n');
      }
    }
    return args.options['check'] && stale.length > 0 ? 1 : 0;
  },
};

async function cloudStatus(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const { openProject, loadRemotes } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const r = await (
    await loadRemotes()
  ).cloudStatus(project.value, {
    targets: args.positionals,
    ...(typeof args.options['remote'] === 'string' ? { remote: args.options['remote'] } : {}),
  });
  if (!r.ok) return printRemoteError(io, r.error);
  const { formatCloudStatus } = await import('../render/remote-views.js');
  io.stdout.write(
    args.options['json'] ? `${JSON.stringify({ type: 'cloud-status', ...r.value })}\n` : formatCloudStatus(r.value),
  );
  return 0;
}

export default command;

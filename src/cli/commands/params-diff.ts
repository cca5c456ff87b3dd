/**
 * `xpipe params diff [A_REV [B_REV]] [--all] [--lock] [--json|--md]`: changed params between two git
 * revisions (default HEAD and the workspace), or between pipeline.lock and the workspace.
 */
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'params',
  summary: 'Compare params between git revisions, the workspace and pipeline.lock (params diff)',
  usage: 'xpipe params diff [A_REV [B_REV]] [--all] [--lock] [--json | --md]',
  description:
    'Compares the params that stages declare. A_REV defaults to HEAD and B_REV to the workspace; files are read from git with `git show`. ' +
    'Outside a git repository, and with --lock, the workspace is compared with the values the last repro recorded in pipeline.lock.',
  positionals: true,
  options: [
    { name: 'all', type: 'boolean', description: 'Also list params that did not change' },
    {
      name: 'lock',
      type: 'boolean',
      description: 'Compare the workspace with what the last repro used (pipeline.lock)',
    },
    { name: 'json', type: 'boolean', description: 'Print JSON' },
    { name: 'md', type: 'boolean', description: 'Print a Markdown table' },
  ],
  examples: [
    { command: 'xpipe params diff', description: 'What changed since the last commit' },
    { command: 'xpipe params diff v1 main --all', description: 'Every param at tag v1 and branch main' },
    { command: 'xpipe params diff --lock', description: 'Which params changed since the last repro' },
  ],
  run: (args, io) => runParamsDiff(args, io),
};

async function runParamsDiff(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const [sub, ...revs] = args.positionals;
  if (sub !== 'diff') {
    io.stderr.write(
      `error: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use "xpipe params diff [A_REV [B_REV]]".\n`,
    );
    return 2;
  }
  if (revs.length > 2 || (args.options['lock'] && revs.length > 0)) {
    io.stderr.write(
      `error: "xpipe params diff" takes at most two revisions, and none with --lock (got ${revs.join(' ') || 'none'}).\n`,
    );
    return 2;
  }
  const { openProject, loadReports } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { declaredParams, compare } = await loadReports();
  const r = await compare({
    root: project.value.root,
    files: declaredParams(project.value.spec),
    ...(revs[0] !== undefined ? { a: revs[0] } : {}),
    ...(revs[1] !== undefined ? { b: revs[1] } : {}),
    all: args.options['all'] === true,
    ...(args.options['lock'] ? { lock: project.value.lock } : { lockFallback: project.value.lock }),
  });
  const { printComparison } = await import('../render/report-print.js');
  return printComparison(r, 'Param', args, io);
}

export default command;

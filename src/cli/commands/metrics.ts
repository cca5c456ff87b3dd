/**
 * `xpipe metrics show [REV] [--json|--md|--csv]` and `xpipe metrics diff [A_REV [B_REV]] [--all]`:
 * every metrics file that stages declare, flattened to dotted keys.
 */
import type { ValueSource } from '../../engine/index.js';
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'metrics',
  summary: 'Show metrics, or compare them between git revisions and the workspace (metrics show | diff)',
  usage:
    'xpipe metrics show [REV] [--json | --md | --csv]\n       xpipe metrics diff [A_REV [B_REV]] [--all] [--json | --md]',
  description:
    'Reads the metrics files declared by stages (JSON or YAML) and flattens nested keys (`per_label.Effusion.auc`). ' +
    'show: values in the workspace (or at REV). diff: old, new and change; A_REV defaults to HEAD and B_REV to the workspace.',
  positionals: true,
  options: [
    { name: 'all', type: 'boolean', description: 'diff: also list metrics that did not change' },
    { name: 'json', type: 'boolean', description: 'Print JSON' },
    { name: 'md', type: 'boolean', description: 'Print a Markdown table' },
    { name: 'csv', type: 'boolean', description: 'show: print CSV' },
  ],
  examples: [
    { command: 'xpipe metrics show', description: 'All metrics in the workspace' },
    { command: 'xpipe metrics diff', description: 'What changed since the last commit' },
    { command: 'xpipe metrics diff HEAD~3 HEAD --md', description: 'Three commits apart, as Markdown' },
  ],
  run: (args, io) => runMetrics(args, io),
};

async function runMetrics(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const [sub, ...revs] = args.positionals;
  if (sub !== 'show' && sub !== 'diff') {
    io.stderr.write(
      `error: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use "xpipe metrics show" or "xpipe metrics diff [A_REV [B_REV]]".\n`,
    );
    return 2;
  }
  const max = sub === 'show' ? 1 : 2;
  if (revs.length > max) {
    io.stderr.write(
      `error: "xpipe metrics ${sub}" takes at most ${max} revision${max > 1 ? 's' : ''}, got ${revs.join(' ')}.\n`,
    );
    return 2;
  }
  const { openProject, loadReports } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { declaredMetrics, compare, loadFileValues, revisionSource } = await loadReports();
  const files = declaredMetrics(project.value.spec).map((path) => ({ path, keys: [] as string[] }));
  if (files.length === 0) {
    io.stderr.write('error: no stage declares metrics files; add a "metrics:" list to a stage in pipeline.yaml.\n');
    return 2;
  }
  const root = project.value.root;
  if (sub === 'diff') {
    const r = await compare({
      root,
      files,
      ...(revs[0] !== undefined ? { a: revs[0] } : {}),
      ...(revs[1] !== undefined ? { b: revs[1] } : {}),
      all: args.options['all'] === true,
    });
    const { printComparison } = await import('../render/report-print.js');
    return printComparison(r, 'Metric', args, io);
  }
  let source: ValueSource = { kind: 'workspace' };
  if (revs[0] !== undefined) {
    const s = await revisionSource(root, revs[0]);
    if (!s.ok) {
      io.stderr.write(`error: ${s.error}\n`);
      return 2;
    }
    source = s.value;
  }
  const values = await loadFileValues(root, source, files);
  if (!values.ok) {
    for (const e of values.error) io.stderr.write(`error: ${e}\n`);
    return 2;
  }
  const { metricsJson, metricsTable } = await import('../render/report-views.js');
  if (args.options['json']) {
    io.stdout.write(`${JSON.stringify(metricsJson(values.value))}\n`);
    return 0;
  }
  const { renderTable } = await import('../render/report-table.js');
  const { tableFormat } = await import('../render/report-print.js');
  io.stdout.write(`${renderTable(metricsTable(values.value), tableFormat(args))}\n`);
  return 0;
}

export default command;

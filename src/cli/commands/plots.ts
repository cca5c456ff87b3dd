/**
 * `xpipe plots show` / `xpipe plots diff [REV...]`: one self-contained HTML report of every declared
 * plot (and per-item metrics as bar charts), revisions or experiments overlaid in diff mode; `--png DIR`
 * also writes each chart as a PNG.
 */
import path from 'node:path';
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import type { ValueSource } from '../../engine/index.js';
import { printDiagnostics } from './shared.js';

const DEFAULT_OUT = 'reports/plots.html';

const command: Command = {
  name: 'plots',
  summary:
    'Write an HTML report (and PNGs) of the declared plots, comparing revisions or experiments (plots show | diff)',
  usage:
    'xpipe plots show [--out FILE] [--png DIR] [--screenshot FILE]\n       xpipe plots diff [REV...] [--exp NAME]... [--out FILE] [--png DIR] [--screenshot FILE]',
  description:
    `Charts every plot file declared in pipeline.yaml with Vega-Lite, into one HTML file that opens offline (default ${DEFAULT_OUT}). ` +
    'Templates and fields come from the plot props (template, x, y, title, x_label, y_label) or from the file shape: ' +
    'fpr/tpr → ROC, recall/precision → PR, actual/predicted → confusion heat map, an epoch column → training curves. ' +
    'Per-item maps in metrics files (e.g. AUC per label) become bar charts. diff: no REV = HEAD vs workspace; one REV = REV vs workspace; ' +
    'several = those revisions; --exp adds stored experiments.',
  positionals: true,
  options: [
    {
      name: 'out',
      short: 'o',
      type: 'string',
      arg: 'FILE',
      description: `Where to write the HTML report (default ${DEFAULT_OUT})`,
    },
    { name: 'png', type: 'string', arg: 'DIR', description: 'Also write every chart as DIR/<plot>.png' },
    {
      name: 'exp',
      type: 'string',
      arg: 'NAME',
      repeatable: true,
      description: 'diff: compare this experiment (repeatable)',
    },
    {
      name: 'screenshot',
      type: 'string',
      arg: 'FILE',
      description: 'Also save a PNG screenshot of the report (needs chromium installed)',
    },
  ],
  examples: [
    { command: 'xpipe plots show', description: `Write ${DEFAULT_OUT} for the workspace` },
    { command: 'xpipe plots diff HEAD~1', description: 'Overlay the previous commit and the workspace' },
    { command: 'xpipe plots diff --exp lr-0.001 --exp lr-0.01', description: 'Compare two experiments' },
    { command: 'xpipe plots show --png docs/img', description: 'Also write PNGs for a README' },
    {
      command: 'xpipe plots show --screenshot docs/img/plots.png',
      description: 'And a screenshot of the whole report (chromium)',
    },
  ],
  run: (args, io) => runPlots(args, io),
};

async function runPlots(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const [sub, ...revs] = args.positionals;
  if (sub !== 'show' && sub !== 'diff') {
    io.stderr.write(
      `error: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use "xpipe plots show" or "xpipe plots diff [REV...]".\n`,
    );
    return 2;
  }
  const exps = args.lists?.['exp'] ?? [];
  if (sub === 'show' && (revs.length > 0 || exps.length > 0)) {
    io.stderr.write(
      `error: "xpipe plots show" draws the workspace; use "xpipe plots diff ${[...revs, ...exps.map((e) => `--exp ${e}`)].join(' ')}" to compare.\n`,
    );
    return 2;
  }
  for (const flag of ['png', 'screenshot'] as const) {
    if (typeof args.options[flag] !== 'string') continue;
    const { IMAGE_PACKAGES, missingPackagesError } = await import('../optional-packages.js');
    const missing = missingPackagesError(`xpipe plots --${flag}`, IMAGE_PACKAGES);
    if (missing) {
      io.stderr.write(`error: ${missing}\n`);
      return 2;
    }
  }
  const { openProject, loadReports } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { root, spec } = project.value;
  const { declaredMetrics, declaredPlots, buildPlotsReport } = await loadReports();
  const plots = declaredPlots(spec);
  if (!plots.ok) return printDiagnostics(io, plots.error);
  if (plots.value.length === 0 && declaredMetrics(spec).length === 0) {
    io.stderr.write(
      'error: no stage declares plots or metrics files; add a "plots:" list (e.g. plots: [plots/history.csv]) to a stage in pipeline.yaml.\n',
    );
    return 2;
  }
  const sources = await chooseSources(root, sub, revs, exps, io);
  if (!sources) return 2;
  const out = typeof args.options['out'] === 'string' ? args.options['out'] : DEFAULT_OUT;
  const tables = exps.length > 0 ? await experimentsTable(root, exps) : undefined;
  const report = await buildPlotsReport({
    root,
    out: path.resolve(io.cwd, out),
    sources,
    plots: plots.value,
    metrics: declaredMetrics(spec),
    ...(tables ? { tables } : {}),
  });
  for (const p of report.problems) io.stderr.write(`warning: ${p}\n`);
  const charts = report.items.length;
  io.stdout.write(
    `wrote ${path.relative(io.cwd, report.file) || report.file} (${charts} chart${charts === 1 ? '' : 's'}; open it in a browser, no network needed)\n`,
  );
  if (typeof args.options['png'] === 'string') {
    const { writeChartPng } = await import('../render/plots-png.js');
    const dir = path.resolve(io.cwd, args.options['png']);
    for (const item of report.items) {
      if (item.kind !== 'chart') continue;
      const file = await writeChartPng(dir, item.id, item.vega as Record<string, unknown>);
      io.stdout.write(`wrote ${path.relative(io.cwd, file)}\n`);
    }
  }
  if (typeof args.options['screenshot'] === 'string') {
    const { screenshotReport } = await import('../render/plots-screenshot.js');
    const shot = path.resolve(io.cwd, args.options['screenshot']);
    const problem = await screenshotReport(report.file, shot, charts);
    if (problem) {
      io.stderr.write(`error: ${problem}\n`);
      return 1;
    }
    io.stdout.write(`wrote ${path.relative(io.cwd, shot)}\n`);
  }
  return charts === 0 ? 1 : 0;
}

/** The `exp show` table of the compared experiments, for the top of the report. */
async function experimentsTable(
  root: string,
  names: string[],
): Promise<Array<{ title: string; header: string[]; rows: string[][] }>> {
  const { readExp, buildExpTable } = await (await import('../../engine/index.js')).loadExperiments();
  const { expTable } = await import('../render/exp-views.js');
  const records = names.map((n) => readExp(root, n)!).filter(Boolean);
  const table = buildExpTable(records);
  if ('error' in table) return [];
  return [{ title: 'Experiments', ...expTable(table.columns, table.rows) }];
}

async function chooseSources(
  root: string,
  sub: string,
  revs: string[],
  exps: string[],
  io: CommandIO,
): Promise<ValueSource[] | undefined> {
  if (sub === 'show') return [{ kind: 'workspace' }];
  const { loadReports, loadExperiments } = await import('../../engine/index.js');
  const { revisionSource } = await loadReports();
  const names = revs.length === 0 && exps.length === 0 ? ['HEAD'] : revs;
  const sources: ValueSource[] = [];
  for (const name of names) {
    const s = await revisionSource(root, name);
    if (!s.ok) {
      io.stderr.write(`error: ${s.error}\n`);
      return undefined;
    }
    sources.push(s.value);
  }
  const { expDir, readExp } = await loadExperiments();
  for (const name of exps) {
    if (!readExp(root, name)) {
      io.stderr.write(`error: no experiment named "${name}" in .xpipe/exps; "xpipe exp show" lists them.\n`);
      return undefined;
    }
    sources.push({ kind: 'dir', label: `exp ${name}`, dir: path.join(expDir(root, name), 'files') });
  }
  if (names.length < 2 && exps.length === 0) sources.push({ kind: 'workspace' });
  return sources;
}

export default command;

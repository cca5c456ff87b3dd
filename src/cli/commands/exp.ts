/**
 * `xpipe exp run | show | apply`: run the pipeline with changed params (one, a grid sweep, or random
 * samples) without touching the workspace, compare the recorded experiments, and adopt one.
 */
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'exp',
  summary:
    'Run experiments with changed params (sweeps too), compare them, apply one (exp run | show | apply | remove)',
  usage: [
    'xpipe exp run [-S KEY=VALUE]... [--sweep KEY=V1,V2,...]... [--random N [--seed S]] [--name NAME] [--jobs N]',
    '       xpipe exp show [--sort-by METRIC [--asc]] [--metrics M1,M2] [--json | --md | --csv]',
    '       xpipe exp apply NAME',
    '       xpipe exp remove NAME...',
  ].join('\n'),
  description:
    'exp run copies the project into .xpipe/tmp/exps/<name>/ (sharing cache/ and the run cache), sets the params there, runs repro and records ' +
    'params, metrics, pipeline.lock, duration and backend under .xpipe/exps/<name>/. params.yaml in the workspace is never modified. ' +
    'Sweeps run the stages no swept param affects once, then the experiments up to --jobs at a time. ' +
    '--random N samples --sweep entries given as uniform(a,b), loguniform(a,b), randint(a,b) or choice(a,b,...).',
  positionals: true,
  options: [
    {
      name: 'set-param',
      short: 'S',
      type: 'string',
      arg: 'KEY=VALUE',
      repeatable: true,
      description: 'run: set a param for this run (repeatable)',
    },
    {
      name: 'sweep',
      type: 'string',
      arg: 'KEY=V1,V2',
      repeatable: true,
      description: 'run: one experiment per value; several --sweep make a grid',
    },
    { name: 'random', type: 'number', arg: 'N', description: 'run: draw N random experiments from the --sweep ranges' },
    { name: 'seed', type: 'number', arg: 'S', description: 'run: seed for --random (default 0)' },
    {
      name: 'name',
      short: 'n',
      type: 'string',
      arg: 'NAME',
      description: 'run: experiment name (a sweep gets NAME-1, NAME-2, ...)',
    },
    { name: 'jobs', short: 'j', type: 'number', arg: 'N', description: 'run: experiments in parallel (default 1)' },
    {
      name: 'executor',
      type: 'string',
      arg: 'NAME',
      description: "run: run every stage on this executor (default: each stage's executor:, else local)",
    },
    { name: 'keep-workdir', type: 'boolean', description: 'run: keep .xpipe/tmp/exps/<name>/ for debugging' },
    { name: 'sort-by', type: 'string', arg: 'METRIC', description: 'show: sort by this metric, best (largest) first' },
    { name: 'asc', type: 'boolean', description: 'show: with --sort-by, smallest first (for losses)' },
    {
      name: 'metrics',
      type: 'string',
      arg: 'M1,M2',
      description: 'show: the metric columns to show (key or file:key)',
    },
    { name: 'json', type: 'boolean', description: 'show: print JSON' },
    { name: 'md', type: 'boolean', description: 'show: print a Markdown table' },
    { name: 'csv', type: 'boolean', description: 'show: print CSV' },
  ],
  examples: [
    { command: 'xpipe exp run -S train.lr=0.01 -S model.arch=resnet18', description: 'One experiment' },
    {
      command: "xpipe exp run --sweep 'train.lr=0.001,0.005,0.01,0.05,0.1' --jobs 2",
      description: 'A learning-rate ablation',
    },
    { command: "xpipe exp run --random 8 --sweep 'train.lr=loguniform(1e-4,1e-1)'", description: 'Random search' },
    { command: 'xpipe exp show --sort-by auc_macro', description: 'Which run was best' },
    { command: 'xpipe exp apply lr-0.01', description: 'Adopt an experiment in the workspace' },
    {
      command: 'xpipe exp remove lr-1 lr-2',
      description: 'Delete stored experiments (their cached outs stay until gc)',
    },
  ],
  run: (args, io) => runExp(args, io),
};

async function runExp(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const [sub, ...rest] = args.positionals;
  switch (sub) {
    case 'run':
      return rest.length
        ? usage(
            io,
            `"xpipe exp run" takes no positional arguments (got ${rest.join(' ')}); set params with -S KEY=VALUE.`,
          )
        : expRun(args, io);
    case 'show':
      return rest.length
        ? usage(io, `"xpipe exp show" takes no positional arguments (got ${rest.join(' ')}).`)
        : expShow(args, io);
    case 'apply':
      return rest.length === 1
        ? expApply(rest[0], io)
        : usage(io, '"xpipe exp apply" needs exactly one experiment name (see "xpipe exp show").');
    case 'remove':
      return rest.length > 0
        ? expRemove(rest, io)
        : usage(io, '"xpipe exp remove" needs the names of the experiments to delete (see "xpipe exp show").');
    default:
      return usage(
        io,
        `${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}: use "xpipe exp run", "xpipe exp show", "xpipe exp apply NAME" or "xpipe exp remove NAME".`,
      );
  }
}

function usage(io: CommandIO, message: string): ExitCode {
  io.stderr.write(`error: ${message}\n`);
  return 2;
}

async function expRun(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const { openProject, loadExperiments } = await import('../../engine/index.js');
  const { expandSweep, runExperiments, buildExpTable } = await loadExperiments();
  const random = args.options['random'];
  const sets = expandSweep({
    set: args.lists?.['set-param'] ?? [],
    sweep: args.lists?.['sweep'] ?? [],
    ...(typeof random === 'number' ? { random } : {}),
    ...(typeof args.options['seed'] === 'number' ? { seed: args.options['seed'] } : {}),
  });
  if (!sets.ok) return usage(io, sets.error);
  if (sets.value.length === 0) return usage(io, '--random 0 asks for no experiments.');
  const project = openProject({ cwd: io.cwd });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { expEventPrinter } = await import('../render/exp-events.js');
  const r = await runExperiments(project.value, {
    sets: sets.value,
    ...(typeof args.options['executor'] === 'string' ? { executor: args.options['executor'] } : {}),
    ...(typeof args.options['name'] === 'string' ? { name: args.options['name'] } : {}),
    ...(typeof args.options['jobs'] === 'number' ? { jobs: args.options['jobs'] } : {}),
    keep: args.options['keep-workdir'] === true,
    signal: io.signal,
    onEvent: expEventPrinter(io.stdout, io.stderr),
  });
  if (!r.ok) return r.error.kind === 'usage' ? usage(io, r.error.message) : printDiagnostics(io, r.error.diagnostics);
  const failed = r.value.filter((x) => x.status !== 'success');
  if (r.value.length > 1) {
    const table = buildExpTable(r.value);
    if (!('error' in table)) {
      const { expTable } = await import('../render/exp-views.js');
      const { renderTable } = await import('../render/report-table.js');
      io.stdout.write(`\n${renderTable(expTable(table.columns, table.rows))}\n\n`);
    }
  }
  io.stdout.write(
    `${r.value.length - failed.length} of ${r.value.length} experiment${r.value.length === 1 ? '' : 's'} succeeded; compare them with "xpipe exp show".\n`,
  );
  if (io.signal.aborted) return 130;
  return failed.length > 0 ? 1 : 0;
}

async function expShow(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  const { openProject, loadExperiments } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { listExps, workspaceRecord, buildExpTable } = await loadExperiments();
  const { exps, problems } = listExps(project.value.root);
  for (const p of problems) io.stderr.write(`warning: ${p}\n`);
  if (exps.length === 0) {
    io.stdout.write(
      'No experiments yet. Run one with "xpipe exp run -S KEY=VALUE" or a sweep with "xpipe exp run --sweep KEY=V1,V2".\n',
    );
    return 0;
  }
  const baseline = await workspaceRecord(project.value.root, project.value.spec);
  const metricsOpt =
    typeof args.options['metrics'] === 'string'
      ? args.options['metrics']
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const table = buildExpTable(baseline ? [baseline, ...exps] : exps, {
    ...(typeof args.options['sort-by'] === 'string' ? { sortBy: args.options['sort-by'] } : {}),
    sortOrder: args.options['asc'] ? 'asc' : 'desc',
    ...(metricsOpt ? { metrics: metricsOpt } : {}),
  });
  if ('error' in table) return usage(io, table.error);
  const { expJson, expTable } = await import('../render/exp-views.js');
  if (args.options['json']) {
    io.stdout.write(`${JSON.stringify(expJson(table.columns, table.rows))}\n`);
    return 0;
  }
  const { renderTable } = await import('../render/report-table.js');
  const { tableFormat } = await import('../render/report-print.js');
  io.stdout.write(`${renderTable(expTable(table.columns, table.rows, table.sortColumn), tableFormat(args))}\n`);
  return 0;
}

async function expApply(name: string, io: CommandIO): Promise<ExitCode> {
  const { openProject, loadExperiments } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { applyExperiment } = await loadExperiments();
  const r = await applyExperiment(project.value, name);
  if (!r.ok) return usage(io, r.error);
  const { changedParams, files, checkout } = r.value;
  io.stdout.write(
    `applied ${name}: ${changedParams.length ? `params ${changedParams.join(', ')}` : 'params unchanged'}; pipeline.lock; ${files.length} metrics/plot file${files.length === 1 ? '' : 's'}; ${checkout.restored.length} out${checkout.restored.length === 1 ? '' : 's'} restored from cache\n`,
  );
  for (const p of checkout.notInCache) io.stderr.write(`not in cache: ${p} (run "xpipe repro" to rebuild it)\n`);
  return checkout.notInCache.length > 0 ? 1 : 0;
}

async function expRemove(names: string[], io: CommandIO): Promise<ExitCode> {
  const { openProject, loadExperiments } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const { removeExp } = await loadExperiments();
  const missing = names.filter((n) => !removeExp(project.value.root, n));
  for (const n of names.filter((x) => !missing.includes(x))) io.stdout.write(`removed ${n}\n`);
  if (missing.length > 0)
    return usage(
      io,
      `no experiment named ${missing.map((m) => `"${m}"`).join(', ')} in .xpipe/exps; "xpipe exp show" lists them.`,
    );
  return 0;
}

export default command;

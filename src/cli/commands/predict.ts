/**
 * `xpipe predict <images or folders> [--model DIR] [--explain DIR] [--json]`: per-label probabilities
 * and decisions for new images, with the pipeline's preprocessing and tuned thresholds.
 */
import path from 'node:path';
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'predict',
  summary: 'Classify new images with the trained model, the pipeline preprocessing and the tuned thresholds',
  usage: 'xpipe predict IMAGE|FOLDER... [--model DIR] [--data DIR] [--thresholds FILE] [--explain DIR] [--json | --md | --csv]',
  description:
    'Each image goes through the same preprocessing as the training data (the preprocess params recorded in pipeline.lock, ' +
    'else params.yaml), the same normalisation and the model; a label is positive when its probability reaches the label\'s ' +
    'threshold from metrics/thresholds.json. An unreadable image gets its own error line and the others still run (exit 1).',
  positionals: true,
  options: [
    { name: 'model', short: 'm', type: 'string', arg: 'DIR', description: 'Model folder (default models/model)' },
    { name: 'data', type: 'string', arg: 'DIR', description: 'Preprocessed data folder with labels.json and stats.json (default data/preprocessed)' },
    { name: 'thresholds', type: 'string', arg: 'FILE', description: 'Per-label thresholds (default metrics/thresholds.json)' },
    { name: 'explain', type: 'string', arg: 'DIR', description: 'Write a Grad-CAM overlay per positive label (or the top label) into DIR' },
    { name: 'json', type: 'boolean', description: 'Print JSON' },
    { name: 'md', type: 'boolean', description: 'Print a Markdown table' },
    { name: 'csv', type: 'boolean', description: 'Print CSV' },
  ],
  examples: [
    { command: 'xpipe predict scans/', description: 'Every image in a folder' },
    { command: 'xpipe predict a.png b.png --explain reports/predict', description: 'Two images, with Grad-CAM overlays' },
  ],
  run: (args, io) => runPredict(args, io),
};

async function runPredict(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  if (args.positionals.length === 0) {
    io.stderr.write('error: give at least one image file or folder, e.g. "xpipe predict scans/".\n');
    return 2;
  }
  const { openProject } = await import('../../engine/index.js');
  const project = openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!project.ok) return printDiagnostics(io, project.error);
  const root = project.value.root;
  const opt = (name: string, fallback: string) => path.resolve(typeof args.options[name] === 'string' ? io.cwd : root, typeof args.options[name] === 'string' ? (args.options[name] as string) : fallback);
  const modelDir = opt('model', 'models/model');
  const dataDir = opt('data', 'data/preprocessed');
  const thresholdsFile = opt('thresholds', 'metrics/thresholds.json');
  const { existsSync } = await import('node:fs');
  for (const [what, p] of [['model', modelDir], ['preprocessed data', dataDir], ['thresholds', thresholdsFile]] as const) {
    if (!existsSync(p)) {
      io.stderr.write(`error: the ${what} ${path.relative(io.cwd, p)} does not exist. Run "xpipe repro" (or "xpipe checkout" if it is cached) first, or point to it with --${what === 'preprocessed data' ? 'data' : what}.\n`);
      return 2;
    }
  }
  const { predict } = await import('./predict-run.js');
  let outcome;
  try {
    outcome = await predict({
      root, cwd: io.cwd, inputs: args.positionals, modelDir, dataDir, thresholdsFile, lock: project.value.lock,
      ...(typeof args.options['explain'] === 'string' ? { explainDir: path.resolve(io.cwd, args.options['explain']) } : {}),
    });
  } catch (e) {
    io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const { predictJson, predictTable } = await import('../render/predict-views.js');
  if (args.options['json']) io.stdout.write(`${JSON.stringify(predictJson(outcome))}\n`);
  else {
    const { renderTable } = await import('../render/report-table.js');
    const { tableFormat } = await import('../render/report-print.js');
    io.stdout.write(`${renderTable(predictTable(outcome), tableFormat(args))}\n`);
    for (const img of outcome.images) for (const o of img.overlays ?? []) io.stdout.write(`wrote ${o}\n`);
  }
  for (const img of outcome.images) if (img.error) io.stderr.write(`error: ${img.error}\n`);
  return outcome.images.some((i) => i.error) ? 1 : 0;
}

export default command;

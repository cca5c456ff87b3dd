/**
 * `xpipe predict <images or folders> [--model DIR] [--explain DIR] [--json]`: per-label probabilities
 * and decisions for new images, with the pipeline's preprocessing and tuned thresholds.
 *
 * Owns: arguments, resolving the artefacts and params through the engine façade, rendering and exit
 * codes. The prediction itself is src/ml's `predictImages` (loaded lazily: other commands never load
 * TensorFlow.js).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Project, ProjectPath } from '../../engine/index.js';
import type { PredictOutcome } from '../../ml/index.js';
import type { Command, CommandIO, ExitCode } from './types.js';
import type { ParsedArgs } from '../args.js';
import { printDiagnostics } from './shared.js';

const command: Command = {
  name: 'predict',
  summary: 'Classify new images with the trained model, the pipeline preprocessing and the tuned thresholds',
  usage:
    'xpipe predict IMAGE|FOLDER... [--model DIR] [--data DIR] [--thresholds FILE] [--explain DIR] [--json | --md | --csv]',
  description:
    'Each image goes through the same preprocessing as the training data (the preprocess params recorded in pipeline.lock, ' +
    "else params.yaml), the same normalisation and the model; a label is positive when its probability reaches the label's " +
    'threshold from metrics/thresholds.json. An unreadable image gets its own error line and the others still run (exit 1).',
  positionals: true,
  options: [
    { name: 'model', short: 'm', type: 'string', arg: 'DIR', description: 'Model folder (default models/model)' },
    {
      name: 'data',
      type: 'string',
      arg: 'DIR',
      description: 'Preprocessed data folder with labels.json and stats.json (default data/preprocessed)',
    },
    {
      name: 'thresholds',
      type: 'string',
      arg: 'FILE',
      description: 'Per-label thresholds (default metrics/thresholds.json)',
    },
    {
      name: 'explain',
      type: 'string',
      arg: 'DIR',
      description: 'Write a Grad-CAM overlay per positive label (or the top label) into DIR',
    },
    { name: 'json', type: 'boolean', description: 'Print JSON' },
    { name: 'md', type: 'boolean', description: 'Print a Markdown table' },
    { name: 'csv', type: 'boolean', description: 'Print CSV' },
  ],
  examples: [
    { command: 'xpipe predict scans/', description: 'Every image in a folder' },
    {
      command: 'xpipe predict a.png b.png --explain reports/predict',
      description: 'Two images, with Grad-CAM overlays',
    },
  ],
  run: (args, io) => runPredict(args, io),
};

async function runPredict(args: ParsedArgs, io: CommandIO): Promise<ExitCode> {
  if (args.positionals.length === 0) {
    io.stderr.write('error: give at least one image file or folder, e.g. "xpipe predict scans/".\n');
    return 2;
  }
  const { ML_PACKAGES, missingPackagesError } = await import('../optional-packages.js');
  const missing = missingPackagesError('xpipe predict', ML_PACKAGES);
  if (missing) {
    io.stderr.write(`error: ${missing}\n`);
    return 2;
  }
  const engine = await import('../../engine/index.js');
  const opened = engine.openProject({ cwd: io.cwd, allowMissingDeps: true });
  if (!opened.ok) return printDiagnostics(io, opened.error);
  const project = opened.value;
  const ml = await import('../../ml/index.js');
  const given = (name: string): string | undefined =>
    typeof args.options[name] === 'string' ? args.options[name] : undefined;
  // an option is relative to where the user typed it; a default is the pipeline's path in the project
  const resolve = (name: string, role: 'model' | 'preprocessed' | 'thresholds'): string => {
    const value = given(name);
    return value !== undefined ? path.resolve(io.cwd, value) : path.resolve(project.root, ml.PIPELINE_PATHS[role]);
  };
  const modelDir = resolve('model', 'model');
  const dataDir = resolve('data', 'preprocessed');
  const thresholdsFile = resolve('thresholds', 'thresholds');
  for (const [what, option, p] of [
    ['model', 'model', modelDir],
    ['preprocessed data', 'data', dataDir],
    ['thresholds', 'thresholds', thresholdsFile],
  ] as const) {
    if (!existsSync(p)) {
      io.stderr.write(
        `error: the ${what} ${path.relative(io.cwd, p)} does not exist. Run "xpipe repro" (or "xpipe checkout" if it is cached) first, or point to it with --${option}.\n`,
      );
      return 2;
    }
  }
  const pre = preprocessParams(engine, project, ml.PIPELINE_PATHS.preprocessed);
  let outcome: PredictOutcome;
  try {
    outcome = await ml.predictImages({
      cwd: io.cwd,
      inputs: args.positionals,
      modelDir,
      dataDir,
      thresholdsFile,
      thresholdsName: path.relative(project.root, thresholdsFile),
      preprocess: pre.values,
      preprocessFrom: pre.from,
      backend: engine.paramValue(project.spec.params.get('params.yaml' as ProjectPath), 'runtime.backend').value,
      ...(given('explain') !== undefined ? { explainDir: path.resolve(io.cwd, given('explain')!) } : {}),
    });
  } catch (e) {
    // problems that concern every image (model, thresholds, data); per-image errors are in the outcome
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

type Engine = typeof import('../../engine/index.js');

/**
 * The `preprocess` params the model's data was made with: those pipeline.lock recorded for the stage
 * that produces the preprocessed data, else that stage's current params (params.yaml).
 */
function preprocessParams(
  engine: Engine,
  project: Project,
  preprocessedPath: string,
): { values: unknown; from: string } {
  const producer = project.spec.stages.find((s) => s.outs.some((o) => o.path === preprocessedPath));
  if (!producer) return { values: {}, from: 'defaults' };
  const recorded = Object.values(project.lock.stages[producer.name]?.params ?? {}).find(
    (file) => file['preprocess'] !== undefined,
  );
  if (recorded) return { values: recorded['preprocess'], from: 'pipeline.lock' };
  return { values: engine.nestedParams(producer.params, project.spec.params)['preprocess'] ?? {}, from: 'params.yaml' };
}

export default command;

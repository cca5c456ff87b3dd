/**
 * Where the chest X-ray pipeline's artefacts live, relative to the project root: the one place the
 * stages and `xpipe predict` take a path from. pipeline.yaml declares the same paths as deps and outs.
 *
 * Owns: the artefact names (roles) and their paths, and `declaredPath`, which checks that a stage
 * declared the path it is about to read or write. Does not own: the formats (preprocessed-format.ts,
 * io/model-files.ts, eval/csv.ts).
 *
 * Renaming a folder therefore takes two edits, pipeline.yaml and this table; a stage whose declaration
 * and this table disagree stops with an InputError naming both, instead of silently reading a path the
 * engine does not track.
 */
import { InputError } from './params/index.js';

export const PIPELINE_PATHS = {
  /** synth → split: images, masks and the NIH-style CSV. */
  raw: 'data/raw',
  /** split → preprocess: `{train,val,test}.csv`, labels.json, report.json. */
  split: 'data/split',
  /** preprocess → model stages and predict (labels.json, stats.json). */
  preprocessed: 'data/preprocessed',
  contactSheet: 'reports/preprocess/contact_sheet.png',
  /** train → tune_threshold, evaluate, explain, predict. */
  model: 'models/model',
  trainMetrics: 'metrics/train.json',
  trainHistory: 'plots/train_history.csv',
  /** tune_threshold → evaluate, explain, predict. */
  thresholds: 'metrics/thresholds.json',
  evalMetrics: 'metrics/eval.json',
  roc: 'plots/roc.csv',
  pr: 'plots/pr.csv',
  confusion: 'plots/confusion.csv',
  predictions: 'reports/predictions.csv',
  /** evaluate: reliability points, the reliability diagram, the subgroup table. */
  calibration: 'plots/calibration.csv',
  calibrationPng: 'reports/calibration.png',
  subgroupsCsv: 'reports/subgroups.csv',
  subgroupsTable: 'reports/subgroups.md',
  explainReport: 'reports/explain',
  explainMetrics: 'metrics/explain.json',
  /** embed: the t-SNE page, PNG and coordinates, and the separation scores. */
  embedReport: 'reports/embed',
  embedMetrics: 'metrics/embed.json',
} as const;

export type ArtefactRole = keyof typeof PIPELINE_PATHS;

/**
 * Folders inside a stage's scratch directory (ctx.scratchDir: kept between runs, never tracked, hashed or
 * cached by the engine; `xpipe gc --scratch` clears them).
 */
export const WORK_DIRS = {
  /** Per-image preprocessing results, keyed by content and options. */
  preprocessCache: 'preprocess',
  /** Training checkpoints to resume from, keyed by the run's inputs. */
  checkpoints: 'checkpoints',
} as const;

/** What a stage declared in pipeline.yaml (the stage API's context has exactly these lists). */
export interface Declared {
  readonly name: string;
  readonly deps: readonly string[];
  readonly outs: readonly string[];
  readonly metrics: readonly string[];
  readonly plots: readonly string[];
}

const norm = (p: string): string => p.replace(/^\.\//, '').replace(/\/+$/, '');

/**
 * The path of `role`, after checking that the stage declared it as a dep or an out (any kind): a stage
 * must never read or write a path the engine does not hash.
 */
export function declaredPath(stage: Declared, role: ArtefactRole): string {
  const wanted = PIPELINE_PATHS[role];
  const all = [...stage.deps, ...stage.outs, ...stage.metrics, ...stage.plots].map(norm);
  if (!all.includes(wanted)) {
    throw new InputError(
      `stage ${stage.name} does not declare ${wanted} (the ${role} artefact) in pipeline.yaml; ` +
        `declare it as a dep or out, or if you renamed it, change PIPELINE_PATHS.${role} in src/ml/paths.ts to the new path`,
    );
  }
  return wanted;
}

/** `declaredPath` for several roles at once: `{ model: 'models/model', ... }`. */
export function declaredPaths<R extends ArtefactRole>(stage: Declared, roles: readonly R[]): Record<R, string> {
  return Object.fromEntries(roles.map((r) => [r, declaredPath(stage, r)])) as Record<R, string>;
}

/**
 * The validated, fully expanded pipeline: what every other engine module consumes.
 * Owns: the PipelineSpec / StageSpec types. Does not own: how they are read (config/).
 */
import type { ProjectPath } from './brands.js';
import type { SourceLocation } from './diagnostic.js';
import type { StageResources } from '../runner/slurm/resources.js';

/** DVC plot properties, stored for the plots renderer; they are not part of the stage definition hash. */
export interface PlotProps {
  x?: string;
  y?: string | string[];
  template?: string;
  title?: string;
  x_label?: string;
  y_label?: string;
}

/** Which list of pipeline.yaml an output was declared in. */
export type OutKind = 'out' | 'metric' | 'plot';

/** One declared output (`outs`, `metrics` or `plots` entry). */
export interface OutSpec {
  /** Project-relative path (wdir applied). */
  path: ProjectPath;
  /** The path as written in pipeline.yaml, relative to the stage's wdir. */
  declared: string;
  kind: OutKind;
  /** false: the file is tracked by git; xpipe still keeps a copy for the run cache. */
  cache: boolean;
  /** true: the out is not deleted before the stage runs. */
  persist: boolean;
  plot?: PlotProps;
  location?: SourceLocation;
}

/** One declared dependency (file or directory). */
export interface DepSpec {
  path: ProjectPath;
  declared: string;
  location?: SourceLocation;
}

/** One declared parameter: a whole section (`train`) or a dotted key (`model.arch`) of a params file. */
export interface ParamSpec {
  /** Project-relative params file, default `params.yaml` in the stage's wdir. */
  file: ProjectPath;
  key: string;
  location?: SourceLocation;
}

/** A stage after foreach/matrix expansion and `${}` interpolation. */
export interface StageSpec {
  /** Unique name; expanded stages are `base@key`. */
  name: string;
  command:
    { kind: 'cmd'; cmd: string } | { kind: 'module'; module: ProjectPath; declared: string; location?: SourceLocation };
  /** Project-relative working directory ('.' for the root). */
  wdir: ProjectPath;
  deps: DepSpec[];
  params: ParamSpec[];
  /** outs, metrics and plots, in declaration order. */
  outs: OutSpec[];
  alwaysChanged: boolean;
  frozen: boolean;
  desc?: string;
  /** Names of environment variables whose values are part of the run-cache key. */
  env: string[];
  /**
   * Where the stage runs (`executor:`; absent = the project default, `local`). Not part of the definition
   * hash: the same stage computes the same outs wherever it runs.
   */
  executor?: { name: string; location?: SourceLocation };
  /**
   * What the stage asks of a cluster executor (`resources:`: cpus, mem, gpus, time, partition, ...).
   * Not part of the definition hash, like `executor`: resources change where and how fast, not what.
   */
  resources?: StageResources & { location?: SourceLocation };
  /** Where the stage is declared (its name key). */
  location?: SourceLocation;
}

/** Loaded params files: project-relative file name → parsed value. */
export type ParamsFiles = ReadonlyMap<ProjectPath, unknown>;

/** The whole validated pipeline. */
export interface PipelineSpec {
  /** Absolute project root (the directory holding pipeline.yaml). */
  root: string;
  /** Stages in declaration order. */
  stages: StageSpec[];
  params: ParamsFiles;
}

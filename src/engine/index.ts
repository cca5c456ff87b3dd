/**
 * The engine's public API (`xpipe/engine`): the only module the CLI, and any other tool, imports.
 *
 *   const project = openProject({ cwd });            // one way to open a project
 *   await repro(project.value, { targets: ['train'] });
 *
 * Results are values and events; nothing here writes to a terminal. What a no-op `xpipe repro` does not
 * need (reports, experiments, watch mode) is behind `load…()` functions so it is never loaded for it.
 */
export type { Result } from './model/result.js';
export { ok, err, assertNever } from './model/result.js';
export type { Diagnostic, DiagnosticCode, SourceLocation } from './model/diagnostic.js';
export type { ContentHash, ProjectPath, StageKey } from './model/brands.js';
export type { PipelineSpec, StageSpec, OutSpec, DepSpec, ParamSpec, PlotProps, OutKind } from './model/spec.js';
export type {
  EngineEvent,
  EventSink,
  InfoEvent,
  SuccessEvent,
  FailureEvent,
  SummaryEvent,
  ProgressSample,
} from './model/events.js';
export type { StaleReason, CodeWarning } from './model/reasons.js';

// Opening a project, and what an opened project holds.
export { openProject, reloadLock, type Project, type OpenProjectOptions } from './project.js';
export { PIPELINE_FILE, type LoadedPipeline } from './config/load-spec.js';
export { LOCK_FILE, type LockFile, type LockEntry, type LockedOut, type LockedPath } from './lock/lockfile.js';
export type { StageGraph } from './graph/build-graph.js';
export { topoOrder } from './graph/topo-order.js';
export { resolveTargets, selectStages } from './graph/select-targets.js';
export { stageParamValues, nestedParams, paramValue, canonicalJson, type ParamValues } from './config/params.js';

// Operations on an opened project.
export { repro, type ReproOptions, type ReproError } from './repro.js';
export type { RemoteRunSource } from './execute-stage.js';
export { status, type StatusOptions, type StageStatus } from './status.js';
export { checkout, gc, verifyCache, type MaintenanceOptions, type GcResult } from './maintenance.js';
export type { CheckoutReport, BadObject } from './cache/checkout.js';
export type { GcOptions, GcReport } from './cache/gc.js';
export type { VerifyReport, VerifyProgress, VerifyCacheOptions } from './cache/verify-cache.js';

// Storage: the seam remotes implement, and the local cache behind it.
export type { ObjectStore, KeyValueStore, ObjectId, PutOptions } from './cache/object-store.js';
export { ObjectMismatchError, CACHE_DIR } from './cache/object-store.js';
export { LocalObjectStore, CORRUPT_DIR } from './cache/local-object-store.js';
export { LocalKeyValueStore } from './cache/local-kv-store.js';
export { RunCache, transferRunCache, type RunEntry } from './cache/run-cache.js';
export type { HashedPath, ManifestEntry } from './hash/hash-path.js';

// Executors: where a stage runs (`executor:` in pipeline.yaml, `--executor`).
export { RunnerRegistry, DEFAULT_EXECUTOR } from './runner/registry.js';
export type { StageRunner, RunRequest, RunOutcome } from './runner/types.js';

// Small pure helpers the renderers share with the engine.
export { writeFileAtomicSync } from '../shared/atomic.js';
export { formatNumber, formatValue } from './report/flatten.js';
export { layerNodes, plainGraph, type PlainGraph } from './report/dag-graph.js';

// Loaded on demand.
export type * from './report/index.js';
export type * from './exp/index.js';
export type * from './remote/index.js';
export type { WatchOptions, WatchState } from './watch.js';

/** Reports: params/metrics comparison, plots, DAG selections. */
export function loadReports(): Promise<typeof import('./report/index.js')> {
  return import('./report/index.js');
}

/** Experiments: sweeps, runs, the experiment table, apply/remove. */
export function loadExperiments(): Promise<typeof import('./exp/index.js')> {
  return import('./exp/index.js');
}

/** Project configuration and remotes. */
export function loadRemotes(): Promise<typeof import('./remote/index.js')> {
  return import('./remote/index.js');
}

/** `repro --watch` (loads chokidar). */
export async function watchPipeline(
  ...args: Parameters<typeof import('./watch.js').watchPipeline>
): ReturnType<typeof import('./watch.js').watchPipeline> {
  return (await import('./watch.js')).watchPipeline(...args);
}

/** The job side of the Slurm executor (`xpipe exec-stage`): runs one stage from its request file. */
export async function runStageJob(
  ...args: Parameters<typeof import('./runner/slurm/worker.js').runStageJob>
): ReturnType<typeof import('./runner/slurm/worker.js').runStageJob> {
  return (await import('./runner/slurm/worker.js')).runStageJob(...args);
}

/**
 * The engine's public API, for the CLI commands and other tools (`exp`, `metrics`, `plots`, `dag`).
 * Everything here is free of terminal output; results are values and events.
 */
export type { Result } from './model/result.js';
export { ok, err, assertNever } from './model/result.js';
export type { Diagnostic, DiagnosticCode, SourceLocation } from './model/diagnostic.js';
export type { ContentHash, ProjectPath, StageKey } from './model/brands.js';
export type { PipelineSpec, StageSpec, OutSpec, DepSpec, ParamSpec, PlotProps, OutKind } from './model/spec.js';
export type { EngineEvent, EventSink, InfoEvent, SuccessEvent, FailureEvent, SummaryEvent, ProgressSample } from './model/events.js';
export type { StaleReason } from './model/reasons.js';
export { findProjectRoot, loadPipeline, PIPELINE_FILE, type LoadedPipeline, type LoadOptions } from './config/load-spec.js';
export { parseYaml, type YamlFile } from './config/yaml-file.js';
export { stageParamValues, nestedParams, paramValue, diffParamValue, canonicalJson, type ParamValues, type ParamChange } from './config/params.js';
export type { StageGraph } from './graph/build-graph.js';
export { buildGraph } from './graph/build-graph.js';
export { topoOrder } from './graph/topo-order.js';
export { resolveTargets, selectStages } from './graph/select-targets.js';
export { readLock, writeLock, LOCK_FILE, type LockFile, type LockEntry, type LockedOut, type LockedPath } from './lock/lockfile.js';
export { diffStage, type StageDiff, type CurrentStage } from './lock/diff-stage.js';
export { openWorkspace, stageState, type Workspace } from './workspace.js';
export { repro, type ReproOptions, type ReproError } from './repro.js';
export { status, type StatusOptions, type StageStatus } from './status.js';
export { checkout, gc } from './maintenance.js';
export type { CheckoutReport } from './cache/checkout.js';
export type { GcReport, GcOptions } from './cache/gc.js';
export { ObjectStore } from './cache/object-store.js';
export { PathHasher, type HashedPath, type ManifestEntry } from './hash/hash-path.js';

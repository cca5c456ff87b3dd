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
export { checkout, gc, verifyCache } from './maintenance.js';
export type { CheckoutReport, BadObject } from './cache/checkout.js';
export type { GcReport, GcOptions } from './cache/gc.js';
export type { VerifyReport, VerifyProgress, VerifyCacheOptions } from './cache/verify-cache.js';
export type { ObjectStore, KeyValueStore, ObjectId, PutOptions } from './cache/object-store.js';
export { ObjectMismatchError, CACHE_DIR } from './cache/object-store.js';
export { LocalObjectStore, CORRUPT_DIR } from './cache/local-object-store.js';
export { LocalKeyValueStore } from './cache/local-kv-store.js';
export { RunCache, transferRunCache, type RunEntry } from './cache/run-cache.js';
export { PathHasher, type HashedPath, type ManifestEntry } from './hash/hash-path.js';

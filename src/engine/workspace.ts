/**
 * A stage's current state in an opened project: hashing its inputs/outputs and diffing it with the lock.
 * Does not own: opening the project (project.ts), the staleness rules (lock/diff-stage.ts) or decisions (plan.ts).
 */
import path from 'node:path';
import type { ContentHash } from './model/brands.js';
import type { StageSpec } from './model/spec.js';
import { stageParamValues, type ParamValues } from './config/params.js';
import { diffStage, type CurrentStage, type StageDiff } from './lock/diff-stage.js';
import type { HashedPath } from './hash/hash-path.js';
import { definitionHash } from './hash/stage-key.js';
import type { Project } from './project.js';
import { CodeClosure } from './code/code-closure.js';
import { isParsable } from './code/resolve-import.js';
import type { CodeWarning } from './model/reasons.js';

/** The project as the stage-level functions below see it. */
export type Workspace = Project;

/** A stage's current state with the hashes behind it (reused when committing). */
export interface StageState {
  current: CurrentStage;
  deps: Map<string, HashedPath | undefined>;
  outs: Map<string, HashedPath | undefined>;
  params: ParamValues;
  /** Module stages: what the import closure cannot follow (printed by status and repro). */
  codeWarnings: CodeWarning[];
}

// One closure walker per opened workspace: its memo of parsed files and resolved specifiers lives as long
// as the workspace (one command), kept outside the Workspace type so openWorkspace is unchanged.
const closures = new WeakMap<Workspace, CodeClosure>();

/** The import closure of a module stage, rooted at its module and at any code file declared in `deps:`. */
function stageCode(
  ws: Workspace,
  stage: StageSpec,
): Pick<CurrentStage, 'code' | 'packages'> & { warnings: CodeWarning[] } {
  if (stage.command.kind !== 'module') return { warnings: [] };
  let closure = closures.get(ws);
  if (!closure) closures.set(ws, (closure = new CodeClosure(ws.root)));
  const roots = [stage.command.module as string, ...stage.deps.map((d) => d.path as string).filter(isParsable)];
  const code = closure.stageCode(roots);
  closure.save();
  return {
    code: code.files.map((f) => ({ path: f.path, hash: ws.hasher.hash(f.path)?.hash, importer: f.importer })),
    packages: code.packages.map((p) => ({ name: p.name, hash: p.hash, importer: p.importer })),
    warnings: code.warnings,
  };
}

/** Hashes a stage's module, its code closure, deps and outs (through the state index) and collects its param values. */
export function stageState(ws: Workspace, stage: StageSpec): StageState {
  const moduleHash = stage.command.kind === 'module' ? ws.hasher.hash(stage.command.module)?.hash : undefined;
  const { warnings: codeWarnings, ...code } = stageCode(ws, stage);
  const deps = new Map(stage.deps.map((d) => [d.path as string, ws.hasher.hash(d.path)]));
  const outs = new Map(stage.outs.map((o) => [o.path as string, ws.hasher.hash(o.path)]));
  const params = stageParamValues(stage, ws.spec.params);
  const current: CurrentStage = {
    definition: definitionHash(stage, moduleHash),
    ...(stage.command.kind === 'cmd' ? { cmd: stage.command.cmd } : { module: stage.command.module }),
    ...(moduleHash ? { moduleHash } : {}),
    alwaysChanged: stage.alwaysChanged,
    deps: [...deps].map(([p, h]) => ({ path: p, hash: h?.hash })),
    ...code,
    params,
    outs: [...outs].map(([p, h]) => ({ path: p, hash: h?.hash })),
  };
  return { current, deps, outs, params, codeWarnings };
}

/** Diffs a stage against its lock entry. */
export function diffWorkspaceStage(
  ws: Workspace,
  stage: StageSpec,
  state: StageState,
  allowMissing = false,
): StageDiff {
  return diffStage(ws.lock.stages[stage.name], state.current, {
    allowMissing,
    upstreamOut: (p) => upstreamOutHash(ws, p),
  });
}

/** The hash the lock records for `p` as some stage's out. */
function upstreamOutHash(ws: Workspace, p: string): { stage: string; hash: ContentHash } | undefined {
  for (const [stage, entry] of Object.entries(ws.lock.stages)) {
    const out = entry.outs.find((o) => o.path === p);
    if (out) return { stage, hash: out.hash };
  }
  return undefined;
}

/** Absolute path of a project path. */
export function abs(ws: Workspace, p: string): string {
  return path.join(ws.root, p);
}

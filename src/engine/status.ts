/**
 * The programmatic `status`: every selected stage's stale reasons (and, with allowMissing, the paths that
 * are merely not present). Read-only apart from the state index. Owns: StageStatus.
 */
import { err, ok, type Result } from './model/result.js';
import type { Diagnostic } from './model/diagnostic.js';
import type { CodeWarning, StaleReason } from './model/reasons.js';
import { resolveTargets, selectStages } from './graph/select-targets.js';
import { topoOrder } from './graph/topo-order.js';
import type { Project } from './project.js';
import { diffWorkspaceStage, stageState } from './workspace.js';

export interface StatusOptions {
  targets?: string[];
  /**
   * Fresh-clone mode: absent outs and data deps are "not present" instead of stale (open the project
   * with `allowMissingDeps` too).
   */
  allowMissing?: boolean;
}

/** One stage's status. Frozen stages are always reported up to date. */
export interface StageStatus {
  stage: string;
  frozen: boolean;
  reasons: StaleReason[];
  notPresent: string[];
  /** Module stages: imports the code closure cannot follow. */
  warnings: CodeWarning[];
}

export function status(project: Project, opts: StatusOptions = {}): Result<StageStatus[], Diagnostic[]> {
  const targets = resolveTargets(project.graph, opts.targets ?? []);
  if (!targets.ok) return err([targets.error]);
  const order = topoOrder(project.graph, selectStages(project.graph, targets.value));
  const out: StageStatus[] = [];
  for (const name of order) {
    const stage = project.graph.byName.get(name);
    if (!stage) continue;
    const state = stageState(project, stage);
    const diff = diffWorkspaceStage(project, stage, state, opts.allowMissing ?? false);
    out.push({
      stage: name,
      frozen: stage.frozen,
      reasons: stage.frozen ? [] : diff.reasons,
      notPresent: diff.notPresent,
      warnings: state.codeWarnings,
    });
  }
  project.hasher.save();
  return ok(out);
}

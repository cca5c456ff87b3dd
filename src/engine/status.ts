/**
 * The programmatic `status`: every selected stage's stale reasons (and, with allowMissing, the paths that
 * are merely not present). Read-only apart from the state index. Owns: StageStatus.
 */
import { err, ok, type Result } from './model/result.js';
import type { Diagnostic } from './model/diagnostic.js';
import type { CodeWarning, StaleReason } from './model/reasons.js';
import { findProjectRoot } from './config/load-spec.js';
import { resolveTargets, selectStages } from './graph/select-targets.js';
import { topoOrder } from './graph/topo-order.js';
import { diffWorkspaceStage, openWorkspace, stageState, type OpenOptions } from './workspace.js';

export interface StatusOptions extends OpenOptions {
  root?: string;
  cwd?: string;
  targets?: string[];
  /** Fresh-clone mode: absent outs and data deps are "not present" instead of stale. */
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

export function status(opts: StatusOptions = {}): Result<StageStatus[], Diagnostic[]> {
  const root = opts.root !== undefined ? ok(opts.root) : findProjectRoot(opts.cwd ?? process.cwd());
  if (!root.ok) return err([root.error]);
  const ws = openWorkspace(root.value, { ...opts, allowMissingDeps: opts.allowMissing ?? false });
  if (!ws.ok) return ws;
  const targets = resolveTargets(ws.value.graph, opts.targets ?? []);
  if (!targets.ok) return err([targets.error]);
  const order = topoOrder(ws.value.graph, selectStages(ws.value.graph, targets.value));
  const out: StageStatus[] = [];
  for (const name of order) {
    const stage = ws.value.graph.byName.get(name);
    if (!stage) continue;
    const state = stageState(ws.value, stage);
    const diff = diffWorkspaceStage(ws.value, stage, state, opts.allowMissing ?? false);
    out.push({ stage: name, frozen: stage.frozen, reasons: stage.frozen ? [] : diff.reasons, notPresent: diff.notPresent, warnings: state.codeWarnings });
  }
  ws.value.hasher.save();
  return ok(out);
}

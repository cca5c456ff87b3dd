/**
 * Chooses which stages a command acts on: targets plus upstream (default), only the targets
 * (`--single-item`), or targets plus downstream (`--downstream`). No targets = every stage. Pure.
 */
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { StageGraph } from './build-graph.js';

export interface SelectOptions {
  singleItem?: boolean;
  downstream?: boolean;
}

/** Resolves target names (a foreach/matrix base name selects all its expansions) to stage names. */
export function resolveTargets(graph: StageGraph, targets: readonly string[]): Result<string[], Diagnostic> {
  const out: string[] = [];
  for (const t of targets) {
    if (graph.byName.has(t)) out.push(t);
    else {
      const group = graph.stages.filter((s) => s.name.startsWith(`${t}@`)).map((s) => s.name);
      if (group.length === 0) {
        const known = graph.stages.map((s) => s.name).join(', ');
        return err({
          code: 'unknown-stage',
          message: `Unknown stage "${t}". Stages in pipeline.yaml: ${known || 'none'}.`,
        });
      }
      out.push(...group);
    }
  }
  return ok([...new Set(out)]);
}

/** The selected stage set for `targets` (already resolved). */
export function selectStages(graph: StageGraph, targets: readonly string[], opts: SelectOptions = {}): Set<string> {
  if (targets.length === 0) return new Set(graph.stages.map((s) => s.name));
  const selected = new Set(targets);
  if (!opts.singleItem) for (const t of targets) walk(graph.upstream, t, selected);
  if (opts.downstream) for (const t of targets) walk(graph.downstream, t, selected);
  return selected;
}

function walk(edges: StageGraph['upstream'], from: string, into: Set<string>): void {
  for (const next of edges.get(from) ?? []) {
    if (into.has(next)) continue;
    into.add(next);
    walk(edges, next, into);
  }
}

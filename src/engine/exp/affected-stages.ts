/**
 * Which stages a set of param overrides can change: stages declaring an overridden key (or a section
 * containing it, or a key inside it) and everything downstream of them. Pure.
 *
 * Owns: that rule. `exp run` uses the complement to run the shared upstream (e.g. preprocessing)
 * once before a sweep's experiments start in parallel, so they all restore it from the run cache.
 */
import type { StageGraph } from '../graph/build-graph.js';

/** Names of stages affected by changing any of `keys` in `paramsFile`. */
export function affectedStages(graph: StageGraph, paramsFile: string, keys: readonly string[]): Set<string> {
  const touches = (declared: string) =>
    keys.some((k) => k === declared || k.startsWith(`${declared}.`) || declared.startsWith(`${k}.`));
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    for (const d of graph.downstream.get(name) ?? []) visit(d);
  };
  for (const s of graph.stages) if (s.params.some((p) => p.file === paramsFile && touches(p.key))) visit(s.name);
  return out;
}

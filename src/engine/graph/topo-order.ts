/**
 * Topological order of a set of stages (upstream first), ties broken by declaration order. Pure.
 */
import type { StageGraph } from './build-graph.js';

/** Orders `selected` (a subset of the graph) so every stage comes after its selected upstream stages. */
export function topoOrder(graph: StageGraph, selected: ReadonlySet<string>): string[] {
  const indexOf = new Map(graph.stages.map((s, i) => [s.name, i]));
  const remaining = new Map<string, number>();
  for (const name of selected) {
    remaining.set(name, [...(graph.upstream.get(name) ?? [])].filter((u) => selected.has(u)).length);
  }
  const ready = [...remaining].filter(([, n]) => n === 0).map(([name]) => name);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (indexOf.get(a) ?? 0) - (indexOf.get(b) ?? 0));
    const next = ready.shift() as string;
    order.push(next);
    for (const d of graph.downstream.get(next) ?? []) {
      const n = remaining.get(d);
      if (n === undefined) continue;
      remaining.set(d, n - 1);
      if (n - 1 === 0) ready.push(d);
    }
  }
  return order;
}

/**
 * The plain stage graph that `xpipe dag` draws, and the pure selections it needs.
 *
 * Owns: the `{ nodes, edges }` shape the DAG renderers take, upstream selection and layering.
 * Does not own: building the graph from pipeline.yaml (the engine's graph module does) or drawing it.
 */

import type { LoadedPipeline } from '../config/load-spec.js';

/** Stages and "A must run before B" edges (A's outs are B's deps). */
export interface PlainGraph {
  nodes: string[];
  edges: Array<[from: string, to: string]>;
}

/** `stage` and everything upstream of it, with the edges among them; nodes keep their order. */
export function upstreamOf(graph: PlainGraph, stage: string): PlainGraph {
  const keep = new Set<string>([stage]);
  const stack = [stage];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const [from, to] of graph.edges) {
      if (to === node && !keep.has(from)) {
        keep.add(from);
        stack.push(from);
      }
    }
  }
  return {
    nodes: graph.nodes.filter((n) => keep.has(n)),
    edges: graph.edges.filter(([a, b]) => keep.has(a) && keep.has(b)),
  };
}

/** Layer of each node: 0 for sources, else 1 + the deepest parent (longest path). Assumes no cycle. */
export function layerNodes(graph: PlainGraph): Map<string, number> {
  const layer = new Map<string, number>();
  const parents = new Map<string, string[]>(graph.nodes.map((n) => [n, []]));
  for (const [a, b] of graph.edges) parents.get(b)?.push(a);
  const visit = (n: string, depth: number): number => {
    const known = layer.get(n);
    if (known !== undefined) return known;
    if (depth > graph.nodes.length) throw new Error(`cycle through stage ${n}`);
    const ps = parents.get(n) ?? [];
    const l = ps.length === 0 ? 0 : 1 + Math.max(...ps.map((p) => visit(p, depth + 1)));
    layer.set(n, l);
    return l;
  };
  for (const n of graph.nodes) visit(n, 0);
  return layer;
}

/** The stage graph as plain nodes and edges (declaration order). */
export function plainGraph(project: LoadedPipeline): PlainGraph {
  const nodes = project.graph.stages.map((s) => s.name);
  const edges: Array<[string, string]> = [];
  for (const to of nodes) for (const from of project.graph.upstream.get(to) ?? []) edges.push([from, to]);
  edges.sort((a, b) => nodes.indexOf(a[0]) - nodes.indexOf(b[0]) || nodes.indexOf(a[1]) - nodes.indexOf(b[1]));
  return { nodes, edges };
}

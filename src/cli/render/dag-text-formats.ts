/**
 * Mermaid, Graphviz DOT and JSON forms of the stage graph for `xpipe dag --mermaid|--dot|--json`.
 *
 * Owns: the three text encodings, with stage names quoted so `train@lr-0.01` stays valid.
 * Does not own: the ASCII drawing (dag-ascii.ts) or choosing the stages.
 */
import type { PlainGraph } from '../../engine/index.js';

/** A Mermaid flowchart, top-down; node ids are `s0, s1, ...` with the stage name as the label. */
export function renderDagMermaid(graph: PlainGraph): string {
  const id = new Map(graph.nodes.map((n, i) => [n, `s${i}`]));
  const lines = ['flowchart TD'];
  for (const n of graph.nodes) lines.push(`  ${id.get(n)}["${n.replace(/"/g, '#quot;')}"]`);
  for (const [a, b] of graph.edges) lines.push(`  ${id.get(a)} --> ${id.get(b)}`);
  return lines.join('\n');
}

/** A Graphviz digraph. */
export function renderDagDot(graph: PlainGraph): string {
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = ['strict digraph {'];
  for (const n of graph.nodes) lines.push(`  ${q(n)};`);
  for (const [a, b] of graph.edges) lines.push(`  ${q(a)} -> ${q(b)};`);
  lines.push('}');
  return lines.join('\n');
}

/** `{ nodes, edges: [{from, to}] }` as pretty JSON. */
export function renderDagJson(graph: PlainGraph): string {
  return JSON.stringify({ nodes: graph.nodes, edges: graph.edges.map(([from, to]) => ({ from, to })) });
}

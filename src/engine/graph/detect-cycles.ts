/**
 * Finds a dependency cycle in the stage graph. Owns: cycle detection only. Pure.
 */
import type { StageGraph } from './build-graph.js';

/** The stages of one cycle in dependency order (first repeated at the end), or undefined. */
export function detectCycle(graph: StageGraph): string[] | undefined {
  const [self] = graph.selfLoops;
  if (self !== undefined) return [self, self];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const up of graph.upstream.get(name) ?? []) {
      const s = state.get(up);
      if (s === 'visiting') return [...stack.slice(stack.indexOf(up)), up];
      if (s === undefined) {
        const found = visit(up);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const s of graph.stages) {
    if (state.has(s.name)) continue;
    const found = visit(s.name);
    if (found) return found.reverse();
  }
  return undefined;
}

/**
 * Builds the stage DAG by matching outs to deps: stage A depends on B when a dep of A equals, contains
 * or lies inside an out of B. Owns: edges. Pure. Does not own: cycle/overlap checks (sibling files).
 */
import { pathsOverlap } from '../model/brands.js';
import type { StageSpec } from '../model/spec.js';

/** The DAG of stages; maps are keyed by stage name. */
export interface StageGraph {
  /** Stages in declaration order. */
  stages: readonly StageSpec[];
  byName: ReadonlyMap<string, StageSpec>;
  /** Stage → the stages it depends on. */
  upstream: ReadonlyMap<string, ReadonlySet<string>>;
  /** Stage → the stages that depend on it. */
  downstream: ReadonlyMap<string, ReadonlySet<string>>;
  /** Stages that use one of their own outs as a dep. */
  selfLoops: readonly string[];
}

export function buildGraph(stages: readonly StageSpec[]): StageGraph {
  const upstream = new Map<string, Set<string>>();
  const downstream = new Map<string, Set<string>>();
  const selfLoops: string[] = [];
  for (const s of stages) {
    upstream.set(s.name, new Set());
    downstream.set(s.name, new Set());
  }
  // Index outs by first path segment to avoid comparing every dep with every out.
  const outsByTop = new Map<string, { stage: string; path: StageSpec['outs'][number]['path'] }[]>();
  for (const s of stages) {
    for (const o of s.outs) {
      const top = o.path.split('/')[0];
      let bucket = outsByTop.get(top);
      if (!bucket) outsByTop.set(top, (bucket = []));
      bucket.push({ stage: s.name, path: o.path });
    }
  }
  for (const s of stages) {
    for (const d of s.deps) {
      for (const o of outsByTop.get(d.path.split('/')[0]) ?? []) {
        if (!pathsOverlap(d.path, o.path)) continue;
        if (o.stage === s.name) {
          if (!selfLoops.includes(s.name)) selfLoops.push(s.name);
          continue;
        }
        upstream.get(s.name)?.add(o.stage);
        downstream.get(o.stage)?.add(s.name);
      }
    }
  }
  return { stages, byName: new Map(stages.map((s) => [s.name, s])), upstream, downstream, selfLoops };
}

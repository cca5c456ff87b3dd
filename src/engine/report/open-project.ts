/**
 * Opening a project for the read-only report commands (`params diff`, `metrics`, `plots`, `dag`, `exp show`).
 *
 * Owns: root discovery + pipeline loading with missing deps allowed (reports must work on a fresh
 * clone where data is absent) + reading pipeline.lock. Does not own: the loading rules (config/).
 */
import type { Diagnostic } from '../model/diagnostic.js';
import { err, ok, type Result } from '../model/result.js';
import { findProjectRoot, loadPipeline, type LoadedPipeline } from '../config/load-spec.js';
import { readLock, type LockFile } from '../lock/lockfile.js';
import type { PlainGraph } from './dag-graph.js';

export interface ReportProject extends LoadedPipeline {
  root: string;
  lock: LockFile;
}

/** Finds the project at or above `cwd` and loads it. */
export function openReportProject(cwd: string): Result<ReportProject, Diagnostic[]> {
  const root = findProjectRoot(cwd);
  if (!root.ok) return err([root.error]);
  const loaded = loadPipeline(root.value, { allowMissingDeps: true });
  if (!loaded.ok) return loaded;
  const lock = readLock(root.value);
  if (!lock.ok) return err([lock.error]);
  return ok({ ...loaded.value, root: root.value, lock: lock.value });
}

/** The stage graph as plain nodes and edges (declaration order). */
export function plainGraph(project: LoadedPipeline): PlainGraph {
  const nodes = project.graph.stages.map((s) => s.name);
  const edges: Array<[string, string]> = [];
  for (const to of nodes) for (const from of project.graph.upstream.get(to) ?? []) edges.push([from, to]);
  edges.sort((a, b) => nodes.indexOf(a[0]) - nodes.indexOf(b[0]) || nodes.indexOf(a[1]) - nodes.indexOf(b[1]));
  return { nodes, edges };
}

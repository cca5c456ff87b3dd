/**
 * Loads a project's pipeline: pipeline.yaml + params files → validated, expanded PipelineSpec + graph.
 * Owns: the load → expand → validate → check pipeline and project discovery.
 * Does not own: any status or hashing. All user-input diagnostics of a pipeline are born here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { ProjectPath } from '../model/brands.js';
import type { PipelineSpec, StageSpec } from '../model/spec.js';
import { readYaml, type YamlFile } from './yaml-file.js';
import { ParseCache } from './parse-cache.js';
import { expandStage } from './expand.js';
import { validateStage } from './validate.js';
import { paramValue } from './params.js';
import { buildGraph, type StageGraph } from '../graph/build-graph.js';
import { checkOuts } from '../graph/check-outs.js';
import { detectCycle } from '../graph/detect-cycles.js';

export const PIPELINE_FILE = 'pipeline.yaml';

/** A loaded pipeline and its DAG. */
export interface LoadedPipeline {
  spec: PipelineSpec;
  graph: StageGraph;
}

export interface LoadOptions {
  /** Do not reject deps that are absent and produced by no stage (status --allow-missing). */
  allowMissingDeps?: boolean;
  /** Use these params values instead of reading the files (keys: project-relative params file). */
  paramsOverride?: ReadonlyMap<string, unknown>;
  /** Shared parse cache (openWorkspace passes one); default: the project's, saved after loading. */
  parseCache?: ParseCache;
}

/** The nearest directory at or above `from` that holds pipeline.yaml. */
export function findProjectRoot(from: string): Result<string, Diagnostic> {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, PIPELINE_FILE))) return ok(dir);
    const parent = path.dirname(dir);
    if (parent === dir) {
      return err({
        code: 'no-project',
        message: `No ${PIPELINE_FILE} found in this directory or any parent. Run xpipe inside a project, i.e. a directory holding ${PIPELINE_FILE}.`,
      });
    }
    dir = parent;
  }
}

/** Loads and validates the pipeline of the project at `root`. */
export function loadPipeline(root: string, opts: LoadOptions = {}): Result<LoadedPipeline, Diagnostic[]> {
  const cache = opts.parseCache ?? ParseCache.forProject(root);
  const result = load(root, opts, cache);
  if (!opts.parseCache && result.ok) cache.save();
  return result;
}

function load(root: string, opts: LoadOptions, cache: ParseCache): Result<LoadedPipeline, Diagnostic[]> {
  const pipelineFile = readYaml(path.join(root, PIPELINE_FILE), PIPELINE_FILE, cache);
  if (!pipelineFile.ok) return err([pipelineFile.error]);
  const file = pipelineFile.value;
  const top = file.value;
  if (top === null || typeof top !== 'object' || Array.isArray(top)) {
    return err([
      {
        code: 'wrong-type',
        message: `${PIPELINE_FILE} must be a map with a "stages:" key.`,
        location: file.locate([]),
      },
    ]);
  }
  for (const key of Object.keys(top)) {
    if (key !== 'stages' && key !== 'vars') {
      return err([
        {
          code: 'unknown-field',
          message: `Unknown top-level field "${key}" in ${PIPELINE_FILE}; only "stages" is allowed.`,
          location: file.locate([key], { key: true }),
        },
      ]);
    }
  }
  const rawStages = (top as Record<string, unknown>)['stages'] ?? {};
  if (rawStages === null || typeof rawStages !== 'object' || Array.isArray(rawStages)) {
    return err([
      {
        code: 'wrong-type',
        message: `"stages" in ${PIPELINE_FILE} must be a map of stage name → definition.`,
        location: file.locate(['stages']),
      },
    ]);
  }

  const params = new Map<ProjectPath, unknown>();
  const paramFiles = new Map<string, YamlFile>();
  const loadParams = (rel: ProjectPath): Result<unknown, Diagnostic> => {
    if (opts.paramsOverride?.has(rel)) return ok(opts.paramsOverride.get(rel));
    if (params.has(rel)) return ok(params.get(rel));
    const r = readYaml(path.join(root, rel), rel, cache);
    if (!r.ok) return r;
    paramFiles.set(rel, r.value);
    params.set(rel, r.value.value);
    return ok(r.value.value);
  };
  const rootParamsPath = 'params.yaml' as ProjectPath;
  let rootParams: Record<string, unknown> = {};
  if (opts.paramsOverride?.has(rootParamsPath) || fs.existsSync(path.join(root, rootParamsPath))) {
    const r = loadParams(rootParamsPath);
    if (!r.ok) return err([r.error]);
    if (r.value !== null && typeof r.value === 'object' && !Array.isArray(r.value))
      rootParams = r.value as Record<string, unknown>;
  }

  const stages: StageSpec[] = [];
  const seen = new Set<string>();
  for (const [name, raw] of Object.entries(rawStages)) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      return err([
        {
          code: 'wrong-type',
          message: `Stage "${name}" in ${PIPELINE_FILE} must be a map of fields (cmd/module, deps, outs, ...).`,
          location: file.locate(['stages', name]),
        },
      ]);
    }
    const expanded = expandStage(file, name, raw as Record<string, unknown>, rootParams);
    if (!expanded.ok) return err([expanded.error]);
    for (const e of expanded.value) {
      const v = validateStage(file, e);
      if (!v.ok) return err([v.error]);
      if (seen.has(v.value.name)) {
        return err([
          {
            code: 'duplicate-out',
            message: `Stage name "${v.value.name}" is produced twice by foreach/matrix expansion; make the keys unique.`,
            location: file.locate(['stages', name], { key: true }),
          },
        ]);
      }
      seen.add(v.value.name);
      stages.push(v.value);
    }
  }

  const paramDiag = checkParams(stages, loadParams);
  if (paramDiag) return err([paramDiag]);
  const spec: PipelineSpec = { root, stages, params };
  const outDiags = checkOuts(stages);
  if (outDiags.length > 0) return err(outDiags);
  const graph = buildGraph(stages);
  const cycle = detectCycle(graph);
  if (cycle) return err([cycleDiagnostic(graph, cycle)]);
  if (!opts.allowMissingDeps) {
    const missing = checkDepsExist(root, stages);
    if (missing) return err([missing]);
  }
  return ok({ spec, graph });
}

function checkParams(
  stages: StageSpec[],
  loadParams: (rel: ProjectPath) => Result<unknown, Diagnostic>,
): Diagnostic | undefined {
  for (const s of stages) {
    for (const p of s.params) {
      const values = loadParams(p.file);
      if (!values.ok) {
        return {
          ...values.error,
          message: `Stage "${s.name}" reads params from ${p.file}, which does not exist or cannot be read. Create it or fix the params entry.`,
          ...(p.location ? { location: p.location } : {}),
        };
      }
      if (!paramValue(values.value, p.key).found) {
        return {
          code: 'missing-param',
          message: `Stage "${s.name}" declares param "${p.key}", but ${p.file} has no such key. Add it to ${p.file} or remove it from the stage's params.`,
          ...(p.location ? { location: p.location } : {}),
        };
      }
    }
  }
  return undefined;
}

function cycleDiagnostic(graph: StageGraph, cycle: string[]): Diagnostic {
  const first = graph.byName.get(cycle[0]);
  const related = cycle
    .slice(1, -1)
    .map((n) => graph.byName.get(n)?.location)
    .filter((l) => l !== undefined);
  const message =
    cycle.length === 2
      ? `Stage "${cycle[0]}" depends on its own output (a dep overlaps one of its outs). Remove the overlap between its deps and outs.`
      : `The pipeline has a dependency cycle: ${cycle.join(' → ')}. Each arrow means "produces a dep of"; break the cycle by removing one of these deps.`;
  return { code: 'cycle', message, ...(first?.location ? { location: first.location } : {}), related };
}

function checkDepsExist(root: string, stages: StageSpec[]): Diagnostic | undefined {
  for (const s of stages) {
    if (s.command.kind === 'module' && !fs.existsSync(path.join(root, s.command.module))) {
      return {
        code: 'missing-dep',
        message: `Stage module "${s.command.declared}" of stage "${s.name}" does not exist. Create it or fix the "module" path (relative to the stage's wdir).`,
        ...(s.command.location ? { location: s.command.location } : {}),
      };
    }
    for (const d of s.deps) {
      if (fs.existsSync(path.join(root, d.path))) continue;
      // Produced by a stage (an edge exists through this dep)?
      const produced = stages.some((o) =>
        o.outs.some(
          (out) => out.path === d.path || d.path.startsWith(out.path + '/') || out.path.startsWith(d.path + '/'),
        ),
      );
      if (produced) continue;
      return {
        code: 'missing-dep',
        message: `Dependency "${d.declared}" of stage "${s.name}" does not exist and no stage produces it. Create it, add a stage that outputs it, or fix the path.`,
        ...(d.location ? { location: d.location } : {}),
      };
    }
  }
  return undefined;
}

/**
 * `exp run`: run one experiment per override set, each in its own work directory, up to `jobs` at a
 * time, and record each in the experiment store.
 *
 * Owns: the order of work (validate overrides → run the stages no override affects once, in a shared
 * warm-up → experiments in parallel), collecting params/metrics/lock into records, cleanup.
 * Does not own: the pipeline run itself (repro.ts, called with the work directory as root) or output.
 */
import fs from 'node:fs';
import os from 'node:os';
import { err, ok, type Result } from '../model/result.js';
import type { Diagnostic } from '../model/diagnostic.js';
import type { EngineEvent, SummaryEvent } from '../model/events.js';
import { openProject, type Project } from '../project.js';
import { readLock } from '../lock/lockfile.js';
import { repro, type ReproError, type ReproOptions } from '../repro.js';
import { declaredMetrics, declaredParams } from '../report/declared-files.js';
import { loadFileValues } from '../report/load-values.js';
import type { FileValues } from '../report/diff-values.js';
import { isGitRepo, resolveRevision } from '../report/git-revision.js';
import { affectedStages } from './affected-stages.js';
import { applyOverrides, createWorkdir, removeWorkdir, validateOverrides } from './workdir.js';
import { expDir, nameFor, NAME, saveExp, type ExpRecord } from './exp-store.js';
import type { Overrides } from './sweep.js';

export const PARAMS_FILE = 'params.yaml';

/** Progress of `exp run`, for the CLI to render. */
export type ExpEvent =
  | { kind: 'planned'; names: string[]; shared: string[] }
  | { kind: 'start'; exp: string; overrides: Overrides }
  | { kind: 'engine'; exp: string; event: EngineEvent }
  | { kind: 'done'; record: ExpRecord };

export interface ExpRunOptions {
  sets: Overrides[];
  /** Name of a single experiment, or the prefix `NAME-1..n` of a sweep's. */
  name?: string;
  /** Experiments in parallel (default 1). */
  jobs?: number;
  /** Parallel stages inside one experiment (default: cores / jobs). */
  stageJobs?: number;
  /** Keep work directories (for debugging). */
  keep?: boolean;
  signal?: AbortSignal;
  /** Run every stage on this executor (--executor). */
  executor?: string;
  onEvent?: (e: ExpEvent) => void;
}

export type ExpRunError = { kind: 'diagnostics'; diagnostics: Diagnostic[] } | { kind: 'usage'; message: string };

/** Runs every experiment; the result lists the records (failed experiments included). */
export async function runExperiments(project: Project, opts: ExpRunOptions): Promise<Result<ExpRecord[], ExpRunError>> {
  const emit = opts.onEvent ?? (() => {});
  const root = project.root;
  const names = chooseNames(root, opts);
  if (!names.ok) return err({ kind: 'usage', message: names.error });
  const jobs = Math.max(1, opts.jobs ?? 1);
  const stageJobs = opts.stageJobs ?? Math.max(1, Math.floor(os.availableParallelism() / jobs));
  const keys = [...new Set(opts.sets.flatMap((s) => Object.keys(s)))];
  const affected = affectedStages(project.graph, PARAMS_FILE, keys);
  const shared = project.graph.stages.map((s) => s.name).filter((n) => !affected.has(n));
  // Validate every override against params.yaml before any work starts.
  const valid = validateOverrides(root, PARAMS_FILE, opts.sets);
  if (!valid.ok) return err({ kind: 'usage', message: valid.error });
  emit({ kind: 'planned', names: names.value, shared: opts.sets.length > 1 && affected.size > 0 ? shared : [] });
  if (opts.sets.length > 1 && shared.length > 0 && affected.size > 0) {
    const dir = createWorkdir(root, project.spec, '_shared');
    try {
      await reproIn(project, dir, opts, {
        targets: shared,
        jobs: stageJobs,
        onEvent: (event) => emit({ kind: 'engine', exp: 'shared', event }),
      });
    } finally {
      if (!opts.keep) removeWorkdir(dir);
    }
  }
  const baseCommit = (await isGitRepo(root)) ? await resolveRevision(root, 'HEAD') : undefined;
  const records: ExpRecord[] = new Array<ExpRecord>(opts.sets.length);
  let next = 0;
  const worker = async () => {
    while (next < opts.sets.length && !opts.signal?.aborted) {
      const i = next++;
      records[i] = await runOne(
        project,
        opts,
        names.value[i],
        opts.sets[i],
        stageJobs,
        baseCommit?.ok ? baseCommit.value.commit : undefined,
        emit,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, opts.sets.length) }, worker));
  return ok(records.filter(Boolean));
}

function chooseNames(root: string, opts: ExpRunOptions): Result<string[], string> {
  if (opts.name !== undefined && !NAME.test(opts.name))
    return err(`--name '${opts.name}': use letters, digits, '.', '_' or '-' (at most 80 characters).`);
  const taken = new Set<string>();
  if (opts.name !== undefined) {
    const names = opts.sets.length === 1 ? [opts.name] : opts.sets.map((_, i) => `${opts.name}-${i + 1}`);
    const existing = names.filter((n) => fs.existsSync(expDir(root, n)));
    if (existing.length > 0) {
      return err(
        `experiment ${existing.map((n) => `"${n}"`).join(', ')} already exists; choose another --name, or delete ${existing.length > 1 ? 'them' : 'it'} with "xpipe exp remove ${existing.join(' ')}".`,
      );
    }
    return ok(names);
  }
  return ok(opts.sets.map((s) => nameFor(root, s, taken)));
}

async function runOne(
  ws: Project,
  opts: ExpRunOptions,
  name: string,
  overrides: Overrides,
  stageJobs: number,
  baseCommit: string | undefined,
  emit: (e: ExpEvent) => void,
): Promise<ExpRecord> {
  emit({ kind: 'start', exp: name, overrides });
  const started = Date.now();
  const dir = createWorkdir(ws.root, ws.spec, name);
  try {
    const applied = applyOverrides(dir, PARAMS_FILE, overrides);
    let summary: SummaryEvent | undefined;
    let error: string | undefined = applied.ok ? undefined : applied.error;
    if (applied.ok) {
      const r = await reproIn(ws, dir, opts, {
        jobs: stageJobs,
        onEvent: (event) => emit({ kind: 'engine', exp: name, event }),
      });
      if (r.ok) summary = r.value;
      else
        error =
          r.error.kind === 'busy'
            ? `the work directory is locked by process ${r.error.pid}`
            : r.error.diagnostics.map((d) => d.message).join(' ');
    }
    if (summary && summary.failed.length > 0)
      error = `stage${summary.failed.length > 1 ? 's' : ''} ${summary.failed.join(', ')} failed`;
    const record = await collectRecord(ws, dir, name, overrides, summary, error, started, baseCommit);
    saveExp(ws.root, record, dir);
    emit({ kind: 'done', record });
    return record;
  } finally {
    if (!opts.keep) removeWorkdir(dir);
  }
}

async function collectRecord(
  ws: Project,
  dir: string,
  name: string,
  overrides: Overrides,
  summary: SummaryEvent | undefined,
  error: string | undefined,
  started: number,
  baseCommit: string | undefined,
): Promise<ExpRecord> {
  const params = await loadFileValues(dir, { kind: 'workspace' }, declaredParams(ws.spec));
  const metricFiles = declaredMetrics(ws.spec);
  const metrics = await loadFileValues(
    dir,
    { kind: 'workspace' },
    metricFiles.map((p) => ({ path: p, keys: [] })),
  );
  const lock = readLock(dir);
  const plotFiles = ws.spec.stages.flatMap((s) => s.outs.filter((o) => o.kind === 'plot').map((o) => o.path as string));
  const metricsObj = metrics.ok ? toObject(metrics.value) : {};
  return {
    schema: 'xpipe-exp/1',
    name,
    overrides,
    params: params.ok ? (toObject(params.value) as Record<string, Record<string, unknown>>) : {},
    metrics: metricsObj,
    lock: lock.ok ? lock.value : { stages: {} },
    status: error === undefined && summary !== undefined && !summary.interrupted ? 'success' : 'failed',
    ran: summary?.ran ?? [],
    restored: summary?.restored ?? [],
    failed: summary?.failed ?? [],
    ...(error !== undefined ? { error } : summary?.interrupted ? { error: 'interrupted' } : {}),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    ...(baseCommit ? { baseCommit } : {}),
    backend: findBackend(metricsObj, params.ok ? params.value : new Map<string, undefined>()),
    host: { platform: process.platform, arch: process.arch, node: process.version },
    files: [...metricFiles, ...plotFiles],
  };
}

function toObject(values: FileValues): Record<string, Record<string, unknown> | null> {
  const out: Record<string, Record<string, unknown> | null> = {};
  for (const [file, flat] of values) out[file] = flat ? Object.fromEntries(flat) : null;
  return out;
}

/** A metric whose key ends in `backend` (what the run really used), else the `*.backend` param. */
function findBackend(metrics: Record<string, Record<string, unknown> | null>, params: FileValues): string {
  for (const values of Object.values(metrics)) {
    for (const [k, v] of Object.entries(values ?? {})) if (/(^|\.)backend$/.test(k) && typeof v === 'string') return v;
  }
  for (const flat of params.values())
    for (const [k, v] of flat ?? []) if (/(^|\.)backend$/.test(k)) return `${String(v)} (param)`;
  return 'n/a';
}

/** `repro` in an experiment's work directory, with the parent project's executors. */
async function reproIn(
  parent: Project,
  dir: string,
  opts: ExpRunOptions,
  extra: ReproOptions,
): Promise<Result<SummaryEvent, ReproError>> {
  const project = openProject({ root: dir, runners: parent.runners });
  if (!project.ok) return err({ kind: 'diagnostics', diagnostics: project.error });
  return repro(project.value, {
    ...extra,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.executor !== undefined ? { executor: opts.executor } : {}),
  });
}

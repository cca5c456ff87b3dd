/**
 * Where the Slurm executor keeps its files, all under `.xpipe/slurm/` of the project (or of an
 * experiment's work directory), on the filesystem the nodes share with the coordinator:
 *   <run id>/<stage>.log           the job's output (stage logs and progress lines)
 *   <run id>/<stage>.request.json  what the job runs: the stage spec and params, as the coordinator saw them
 *   <run id>/<stage>.result.json   the job's result record (written atomically by the worker): the truth
 *   jobs/<stage>.json              the job of the stage's current run (id + run-cache key), for re-attaching
 * Without a shared filesystem (`shared_fs: false`) only jobs/ is used: the request travels inside the job
 * script, the log stays on the node, and the result record goes to the default remote (./staging.ts).
 * Owns: those paths and record formats. Does not own: what is done with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../../shared/atomic.js';
import type { FailureEvent } from '../../model/events.js';
import type { StageSpec } from '../../model/spec.js';
import type { RemoteConfig } from '../../config/project-config.js';

export const SLURM_DIR = path.join('.xpipe', 'slurm');

const fileName = (stage: string) => encodeURIComponent(stage);

export interface RunFiles {
  log: string;
  request: string;
  result: string;
}

/** Absolute paths of one stage's files in one run. */
export function runFiles(root: string, runId: string, stage: string): RunFiles {
  const dir = path.join(root, SLURM_DIR, runId);
  return {
    log: path.join(dir, `${fileName(stage)}.log`),
    request: path.join(dir, `${fileName(stage)}.request.json`),
    result: path.join(dir, `${fileName(stage)}.result.json`),
  };
}

/** What the worker runs. The spec travels as data so the job runs exactly what the coordinator decided. */
export interface JobRequest {
  schema: 'xpipe-slurm-request/1';
  root: string;
  stage: StageSpec;
  params: Record<string, unknown>;
  result: string;
  /** Set when the node does not share the project directory: the job works elsewhere, data via the remote. */
  isolated?: IsolatedJob;
}

/** One file or directory moved through the remote: what the job fetches (inputs) or pushed (outs). */
export interface MovedPath {
  path: string;
  hash: string;
  size: number;
  nfiles?: number;
}

/** The non-shared half of a request: where the job works and what it exchanges through the remote. */
export interface IsolatedJob {
  remote: RemoteConfig;
  /** The directory on the node under which the job makes its private work dir. */
  workRoot: string;
  /** The Slurm output file as given to sbatch (`%j` stands for the job id); its tail goes into the result. */
  log: string;
  /** Deps, params files, the module's code and persist outs: pushed by the coordinator, fetched by the job. */
  inputs: MovedPath[];
  /** Key of the result record in the remote's record store. */
  resultKey: string;
}

/** The job's answer. `outs`: project-relative path → content hash (null: not produced). */
export interface JobResult {
  schema: 'xpipe-slurm-result/1';
  jobId?: string;
  ok: boolean;
  failure?: FailureEvent;
  outs: Record<string, string | null>;
  /** Non-shared only: the outs as pushed to the remote (the coordinator fetches these objects). */
  pushed?: MovedPath[];
  /** Non-shared only: the job directory it ran in and the tail of its log (the coordinator cannot read the node's disk). */
  workDir?: string;
  logTail?: string[];
  finishedAt: string;
}

/** A job's result record: what every worker reports, plus `extra` (the non-shared worker's fields). */
export function jobResult(
  outcome: { ok: true } | { ok: false; failure: FailureEvent },
  outs: JobResult['outs'],
  extra: Pick<JobResult, 'pushed' | 'workDir' | 'logTail'> = {},
): JobResult {
  return {
    schema: 'xpipe-slurm-result/1',
    ...(process.env['SLURM_JOB_ID'] ? { jobId: process.env['SLURM_JOB_ID'] } : {}),
    ok: outcome.ok,
    ...(outcome.ok ? {} : { failure: outcome.failure }),
    outs,
    ...extra,
    finishedAt: new Date().toISOString(),
  };
}

/** The record that lets a later xpipe re-attach to a job instead of submitting a duplicate. */
export interface JobRecord {
  stage: string;
  /** The stage's run-cache key: the same key means the same work. */
  key: string;
  jobId: string;
  runId: string;
  files: RunFiles;
  /** Non-shared: the result record's key on the remote, and the log's path on the node (for messages). */
  resultKey?: string;
  nodeLog?: string;
  submittedAt: string;
}

function jobRecordFile(root: string, stage: string): string {
  return path.join(root, SLURM_DIR, 'jobs', `${fileName(stage)}.json`);
}

export function writeJson(file: string, value: unknown): void {
  writeFileAtomicSync(file, `${JSON.stringify(value, null, 1)}\n`);
}

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export const saveJobRecord = (root: string, r: JobRecord) => writeJson(jobRecordFile(root, r.stage), r);
export const loadJobRecord = (root: string, stage: string) => readJson<JobRecord>(jobRecordFile(root, stage));
export const forgetJobRecord = (root: string, stage: string) => fs.rmSync(jobRecordFile(root, stage), { force: true });

/** The last `n` lines of a log file (read from its end; a job log can be large). */
export function logTail(file: string, n = 20): string[] {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines.slice(-n);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

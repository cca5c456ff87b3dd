/**
 * The `slurm` StageRunner. For each stage the scheduler hands it (at most `-j` at a time, each as soon as
 * its inputs are committed, so no `--dependency` chains are needed): re-attach to a job an earlier,
 * interrupted xpipe submitted for the same work (same stage + run-cache key), or submit one with
 * `sbatch --parsable` (script on stdin; the job runs `xpipe exec-stage`, ./worker.ts); follow it through
 * the shared poller; then read the job's result record and check the outs in the workspace still hash to
 * what the job recorded before reporting success, so the coordinator commits exactly what the job made.
 * Ctrl-C (the request's signal) cancels the run's jobs with one `scancel`.
 * By default the coordinator and the nodes share a filesystem (the project directory at the same path).
 * With `shared_fs: false` the inputs go to the default remote before submission, the request travels in
 * the job script, the job works in a private directory on the node, and its result record and outs come
 * back through the remote (./staging.ts, ./isolated-worker.ts).
 * Owns: the life of one stage's job. Does not own: committing (execute-stage.ts), polling (./poller.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Diagnostic } from '../../model/diagnostic.js';
import type { FailureEvent } from '../../model/events.js';
import type { StageSpec } from '../../model/spec.js';
import type { RunOutcome, RunRequest, StageRunner } from '../types.js';
import { PathHasher } from '../../hash/hash-path.js';
import { isolatedJobScript, jobScript } from './job-script.js';
import { fetchPushedOuts, forgetRemoteResult, pushInputs, readRemoteResult, resultKey } from './staging.js';
import { loadSlurmSettings, type SlurmSettings } from './config.js';
import { mergeResources, sbatchResourceArgs } from './resources.js';
import { isTerminal, jobExit, sbatch, scancel, squeue, type JobStatus, type SlurmEnv } from './slurm-cli.js';
import { SlurmPoller } from './poller.js';
import {
  forgetJobRecord,
  loadJobRecord,
  logTail,
  readJson,
  runFiles,
  saveJobRecord,
  writeJson,
  type JobRecord,
  type JobRequest,
  type JobResult,
} from './files.js';

const EXECUTOR = 'slurm';
/** While a job runs, its elapsed time is reported this often. */
const RUNNING_REPORT_MS = 30_000;
/** After scancel, how long to wait for Slurm to confirm the job ended. */
const CANCEL_WAIT_MS = 20_000;

export interface SlurmRunnerOptions {
  /** Environment of the Slurm client calls (default: this process's; SLURM_CONF comes from it). */
  env?: NodeJS.ProcessEnv;
  /** First poll interval in ms (default 500). */
  pollMinMs?: number;
}

type Final = { kind: 'status'; status: JobStatus | 'gone' } | { kind: 'cancelled' };

export class SlurmRunner implements StageRunner {
  readonly preparesOuts = true;
  private readonly slurm: SlurmEnv;
  private poller: SlurmPoller | undefined;
  private runId: string | undefined;
  private readonly settings = new Map<string, ReturnType<typeof loadSlurmSettings>>();
  private cancelBatch: Set<string> | undefined;

  constructor(private readonly opts: SlurmRunnerOptions = {}) {
    this.slurm = { env: opts.env ?? process.env };
  }

  /**
   * Only the settings, which is a file read: a repro whose Slurm stages are all up to date must work on
   * a machine without the Slurm client (a laptop with a clone); a missing sbatch fails the submission.
   */
  async check(root: string, _stages: readonly StageSpec[]): Promise<Diagnostic[]> {
    const s = this.settingsFor(root);
    return s.ok ? [] : s.error;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const stage = req.stage.name;
    const settings = this.settingsFor(req.root);
    if (!settings.ok)
      return fail(stage, { state: 'CONFIG_ERROR', detail: settings.error.map((d) => d.message).join(' ') });
    const job = await this.attachOrSubmit(req, settings.value);
    if ('failure' in job) return { ok: false, failure: job.failure };
    const final = await this.follow(req, job);
    if (final.kind === 'cancelled') {
      forgetJobRecord(req.root, stage);
      return { ok: false, failure: { type: 'failure', reason: 'cancelled', stage } };
    }
    const outcome = await this.conclude(req, job, final.status);
    forgetJobRecord(req.root, stage);
    return outcome;
  }

  private settingsFor(root: string): ReturnType<typeof loadSlurmSettings> {
    let s = this.settings.get(root);
    if (!s) this.settings.set(root, (s = loadSlurmSettings(root)));
    return s;
  }

  private pollerFor(settings: SlurmSettings): SlurmPoller {
    this.poller ??= new SlurmPoller(this.slurm, { minMs: this.opts.pollMinMs ?? 500, maxMs: settings.pollMaxMs });
    return this.poller;
  }

  /** One run id per runner (one per xpipe command): names the jobs and the directory of their files. */
  private currentRunId(): string {
    this.runId ??= `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${crypto.randomBytes(2).toString('hex')}`;
    return this.runId;
  }

  private async attachOrSubmit(
    req: RunRequest,
    settings: SlurmSettings,
  ): Promise<JobRecord | { failure: FailureEvent }> {
    const stage = req.stage.name;
    const rel = (f: string) => path.relative(req.root, f);
    const earlier = req.key !== undefined ? loadJobRecord(req.root, stage) : undefined;
    if (earlier && earlier.key === req.key) {
      const status = (await squeue([earlier.jobId], this.slurm))?.get(earlier.jobId);
      const finishedWell = (await this.readResult(req.root, settings, earlier))?.ok === true;
      // Still queued or running: follow it. Finished while nobody watched: adopt its result if it has one.
      if ((status && !isTerminal(status.state)) || finishedWell) {
        req.onEvent({
          type: 'info',
          reason: 'cluster-job',
          stage,
          executor: EXECUTOR,
          jobId: earlier.jobId,
          state: status?.state ?? 'COMPLETED',
          attached: true,
          log: earlier.nodeLog ?? rel(earlier.files.log),
        });
        return earlier;
      }
    }
    const runId = this.currentRunId();
    const files = runFiles(req.root, runId, stage);
    const request: JobRequest = {
      schema: 'xpipe-slurm-request/1',
      root: req.root,
      stage: req.stage,
      params: req.params,
      result: files.result,
    };
    const iso = settings.isolated;
    if (iso) {
      const inputs = await pushInputs(req.root, req.stage, iso.remote);
      if (!inputs.ok)
        return {
          failure: clusterFailure(stage, { state: 'SUBMIT_FAILED', detail: `inputs not staged: ${inputs.error}` }),
        };
      const log = path.posix.join(iso.workRoot, 'xpipe-%j.log');
      const key = resultKey(runId, stage);
      request.isolated = { remote: iso.remote, workRoot: iso.workRoot, log, inputs: inputs.value, resultKey: key };
    }
    // Kept on the coordinator's side in both modes: what was submitted, for a person looking into a run.
    writeJson(files.request, request);
    fs.rmSync(files.result, { force: true });
    const resources = mergeResources(settings.defaults, req.stage.resources ?? {});
    const args = [
      `--job-name=xpipe-${runId}-${stage}`,
      `--chdir=${iso ? iso.workRoot : req.root}`,
      `--output=${request.isolated?.log ?? files.log}`,
      ...sbatchResourceArgs(resources),
    ];
    const script = iso ? isolatedJobScript(stage, runId, request) : jobScript(stage, runId, files.request);
    const submitted = await sbatch(script, args, this.slurm);
    if (!submitted.ok) return { failure: clusterFailure(stage, { state: 'SUBMIT_FAILED', detail: submitted.error }) };
    const nodeLog = request.isolated?.log.replace(/%j/g, submitted.jobId);
    const record: JobRecord = {
      stage,
      key: req.key ?? '',
      jobId: submitted.jobId,
      runId,
      files,
      ...(request.isolated ? { resultKey: request.isolated.resultKey, nodeLog: `on the node at ${nodeLog}` } : {}),
      submittedAt: new Date().toISOString(),
    };
    // Without a key there is nothing to re-attach by; the job's files still say what happened.
    if (req.key !== undefined) saveJobRecord(req.root, record);
    req.onEvent({
      type: 'info',
      reason: 'cluster-job',
      stage,
      executor: EXECUTOR,
      jobId: submitted.jobId,
      state: 'SUBMITTED',
      log: record.nodeLog ?? rel(files.log),
    });
    return record;
  }

  /** Waits for the job to end (or vanish from squeue), reporting its state; cancels it on abort. */
  private follow(req: RunRequest, job: JobRecord): Promise<Final> {
    const stage = req.stage.name;
    const settings = this.settingsFor(req.root);
    const poller = this.pollerFor(settings.ok ? settings.value : { defaults: {}, pollMaxMs: 10_000 });
    return new Promise<Final>((resolve) => {
      let lastState = '';
      let lastReport = 0;
      let cancelling = false;
      const report = (state: string, elapsedSeconds: number | undefined) =>
        req.onEvent({
          type: 'info',
          reason: 'cluster-job',
          stage,
          executor: EXECUTOR,
          jobId: job.jobId,
          state,
          ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}),
        });
      const finish = (f: Final) => {
        stop();
        req.signal.removeEventListener('abort', onAbort);
        resolve(f);
      };
      const onAbort = () => {
        cancelling = true;
        this.cancel(job.jobId);
        // Slurm confirms asynchronously; give up waiting after CANCEL_WAIT_MS (the job is cancelled anyway).
        void sleep(CANCEL_WAIT_MS, undefined, { ref: false }).then(() => finish({ kind: 'cancelled' }));
      };
      const stop = poller.watch(job.jobId, (status) => {
        if (status === 'gone' || isTerminal(status.state)) {
          if (status !== 'gone') report(status.state, status.elapsedSeconds);
          return finish(cancelling ? { kind: 'cancelled' } : { kind: 'status', status });
        }
        const now = Date.now();
        if (status.state !== lastState || (status.state === 'RUNNING' && now - lastReport >= RUNNING_REPORT_MS)) {
          lastState = status.state;
          lastReport = now;
          report(status.state, status.state === 'RUNNING' ? status.elapsedSeconds : undefined);
        }
      });
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Ctrl-C reaches every running stage at once: their jobs are cancelled in one scancel call. */
  private cancel(jobId: string): void {
    if (!this.cancelBatch) {
      const batch = (this.cancelBatch = new Set());
      setImmediate(() => {
        this.cancelBatch = undefined;
        void scancel([...batch], this.slurm).then(() => this.poller?.hurry());
      });
    }
    this.cancelBatch.add(jobId);
  }

  /** The job's result record: a file next to its log, or (no shared filesystem) a record on the remote. */
  private async readResult(root: string, settings: SlurmSettings, job: JobRecord): Promise<JobResult | undefined> {
    if (job.resultKey === undefined || !settings.isolated) return readJson<JobResult>(job.files.result);
    const r = await readRemoteResult(root, settings.isolated.remote, job.resultKey);
    return r.ok ? r.value : undefined;
  }

  /** The job ended: its result record (checked against the workspace) decides, Slurm's state explains. */
  private async conclude(req: RunRequest, job: JobRecord, status: JobStatus | 'gone'): Promise<RunOutcome> {
    const stage = req.stage.name;
    const state = status === 'gone' ? 'UNKNOWN' : status.state;
    const settings = this.settingsFor(req.root);
    const iso = settings.ok ? settings.value.isolated : undefined;
    const result = settings.ok ? await this.readResult(req.root, settings.value, job) : undefined;
    const base = { jobId: job.jobId, log: job.nodeLog ?? path.relative(req.root, job.files.log) };
    // The coordinator cannot read a node's disk: the job sent its log's tail with its result.
    const tail = () => (job.resultKey !== undefined ? (result?.logTail ?? []) : logTail(job.files.log));
    if (result?.ok && (state === 'COMPLETED' || state === 'UNKNOWN')) {
      if (iso && job.resultKey !== undefined) {
        const fetched = await fetchPushedOuts(req.root, stage, iso.remote, job.resultKey, result.pushed ?? []);
        if (!fetched.ok) return fail(stage, { ...base, state: 'FETCH_FAILED', detail: fetched.error, logTail: tail() });
      }
      const hasher = new PathHasher(req.root);
      const differ = req.stage.outs
        .filter((o) => (hasher.hash(o.path)?.hash ?? null) !== (result.outs[o.path] ?? null))
        .map((o) => o.path as string);
      if (differ.length === 0) return { ok: true };
      return fail(stage, {
        ...base,
        state: 'RESULT_MISMATCH',
        detail: `the outs in the workspace differ from what the job recorded: ${differ.join(', ')} (changed after the job wrote them, or the project directory is not shared with the nodes)`,
        logTail: tail(),
      });
    }
    // A failed job's record has been read; the remote keeps no trace of it (a success's goes after its fetch).
    if (iso && job.resultKey !== undefined && result) await forgetRemoteResult(req.root, iso.remote, job.resultKey);
    const exit = await jobExit(job.jobId, this.slurm);
    const slurmReason = exit?.reason ?? (status !== 'gone' && status.reason !== 'None' ? status.reason : undefined);
    return fail(stage, {
      ...base,
      state: result && state === 'COMPLETED' ? 'FAILED' : result || state !== 'UNKNOWN' ? state : 'NO_RESULT',
      ...(exit ? { exitCode: exit.exitCode, ...(exit.signal ? { signal: exit.signal } : {}) } : {}),
      ...(slurmReason ? { slurmReason } : {}),
      ...(result?.failure
        ? { detail: describeFailure(result.failure) }
        : !result && state === 'UNKNOWN'
          ? { detail: 'Slurm no longer knows the job and it left no result record' }
          : !result && job.resultKey !== undefined
            ? { detail: `the job left no result record on the remote; its log is on the node` }
            : {}),
      logTail: tail(),
    });
  }
}

type ClusterFailure = Omit<
  Extract<FailureEvent, { reason: 'cluster-job' }>,
  'type' | 'reason' | 'stage' | 'executor' | 'logTail'
> & { logTail?: string[] };

function clusterFailure(stage: string, f: ClusterFailure): FailureEvent {
  return { type: 'failure', reason: 'cluster-job', stage, executor: EXECUTOR, logTail: [], ...f };
}

function fail(stage: string, f: ClusterFailure): RunOutcome {
  return { ok: false, failure: clusterFailure(stage, f) };
}

/** One line for what the stage itself reported on the node. */
function describeFailure(f: FailureEvent): string {
  switch (f.reason) {
    case 'exit-non-zero':
      return `command exited with code ${f.exitCode}`;
    case 'signal':
      return `command killed by ${f.signal}`;
    case 'stage-input-error':
    case 'stage-error':
    case 'internal-error':
      return f.message;
    case 'missing-outs':
    case 'missing-deps':
      return `${f.reason === 'missing-outs' ? 'outs not produced' : 'deps missing on the node'}: ${f.paths.join(', ')}`;
    default:
      return f.reason;
  }
}

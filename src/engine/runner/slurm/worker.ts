/**
 * The job side of the Slurm executor (`xpipe exec-stage REQUEST`, run by the job script on a node): runs
 * the stage exactly as the local runner does (cmd through the shell, module through the same stage host),
 * with its log and progress events going to the job's log, then hashes the outs and writes the result
 * record atomically. It never touches pipeline.lock or the cache: only the coordinator commits.
 * REQUEST `-` reads the request from stdin: without a shared filesystem the job script carries it, and the
 * job then works in a private directory with data from the remote (./isolated-worker.ts).
 * Owns: the worker's protocol (request in, result record out). Does not own: rendering the events (CLI).
 */
import fs from 'node:fs';
import path from 'node:path';
import { localRunner } from '../index.js';
import type { FailureEvent, InfoEvent } from '../../model/events.js';
import { PathHasher } from '../../hash/hash-path.js';
import { jobResult, readJson, writeJson, type JobRequest } from './files.js';

export type WorkerOutcome = { ok: true; exitCode: number } | { ok: false; message: string };

/** Runs the request in `requestFile`; the exit code the job should end with (the stage's own when it exited non-zero). */
export async function runStageJob(
  requestFile: string,
  signal: AbortSignal,
  onEvent: (e: InfoEvent | FailureEvent) => void,
): Promise<WorkerOutcome> {
  const req = requestFile === '-' ? parseRequest(fs.readFileSync(0, 'utf8')) : readJson<JobRequest>(requestFile);
  if (!req || req.schema !== 'xpipe-slurm-request/1')
    return {
      ok: false,
      message: `${requestFile} is not an xpipe job request (is the project directory shared with the nodes?)`,
    };
  if (req.isolated) {
    const { runIsolatedJob } = await import('./isolated-worker.js');
    return runIsolatedJob({ ...req, isolated: req.isolated }, signal, onEvent);
  }
  const { stage, root } = req;
  // What execute-stage does before a local run, done here so a re-attaching coordinator never deletes outs a job is writing.
  for (const o of stage.outs) if (!o.persist) fs.rmSync(path.join(root, o.path), { recursive: true, force: true });
  const outcome = await localRunner.run({ stage, root, params: req.params, signal, onEvent });
  if (!outcome.ok) onEvent(outcome.failure);
  // A state index of its own in memory only: the coordinator's index file is never written from a node.
  const hasher = new PathHasher(root);
  const outs: Record<string, string | null> = {};
  for (const o of stage.outs) outs[o.path] = outcome.ok ? (hasher.hash(o.path)?.hash ?? null) : null;
  const result = jobResult(outcome, outs);
  writeJson(req.result, result);
  if (outcome.ok) return { ok: true, exitCode: 0 };
  const f = outcome.failure;
  return { ok: true, exitCode: f.reason === 'exit-non-zero' && f.exitCode > 0 && f.exitCode < 256 ? f.exitCode : 1 };
}

function parseRequest(text: string): JobRequest | undefined {
  try {
    return JSON.parse(text) as JobRequest;
  } catch {
    return undefined;
  }
}

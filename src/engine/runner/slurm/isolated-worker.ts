/**
 * The job side of `shared_fs: false`: the node cannot see the coordinator's workspace, so the job makes a
 * private directory `<work_root>/xpipe-job-<job id>/` holding `work/` (where the stage runs) and `cache/`
 * (a private object store), fetches the inputs the request names from the default remote (each object
 * verified against its id), runs the stage there as the local runner does, pushes its outs' objects to the
 * remote, writes the result record to the remote's record store, and removes the directory. It never
 * writes a run-cache record: only the coordinator commits.
 * Owns: that sequence on the node. Does not own: the transfers' planning (remote/transfer.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { err, ok } from '../../model/result.js';
import type { FailureEvent, InfoEvent } from '../../model/events.js';
import type { ObjectId } from '../../cache/object-store.js';
import { LocalObjectStore } from '../../cache/local-object-store.js';
import { materialise } from '../../cache/checkout.js';
import { PathHasher } from '../../hash/hash-path.js';
import { describeRemoteUrl } from '../../remote/remote-url.js';
import { CompleteDirs } from '../../remote/dir-memory.js';
import { fetchOuts, pushOuts } from '../../remote/transfer.js';
import { localRunner } from '../index.js';
import { jobResult, logTail, type IsolatedJob, type JobRequest, type MovedPath } from './files.js';
import { withStores } from './staging.js';
import type { WorkerOutcome } from './worker.js';

export async function runIsolatedJob(
  req: JobRequest & { isolated: IsolatedJob },
  signal: AbortSignal,
  onEvent: (e: InfoEvent | FailureEvent) => void,
): Promise<WorkerOutcome> {
  const iso = req.isolated;
  const { stage } = req;
  const jobId = process.env['SLURM_JOB_ID'] ?? `pid${process.pid}`;
  const jobDir = path.join(iso.workRoot, `xpipe-job-${jobId}`);
  const work = path.join(jobDir, 'work');
  const store = new LocalObjectStore(path.join(jobDir, 'cache'));
  const url = describeRemoteUrl(iso.remote.url);
  const log = (message: string) => onEvent({ type: 'info', reason: 'log', stage: stage.name, level: 'info', message });
  fs.rmSync(jobDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(work, stage.wdir), { recursive: true });
  try {
    const r = await withStores(iso.remote, jobDir, true, async (s) => {
      const opts = { remote: iso.remote, url, jobs: iso.remote.settings.jobs ?? s.defaultJobs };
      const fetched = await fetchOuts(store, s, refs(stage.name, iso.inputs), opts);
      let outcome: Awaited<ReturnType<typeof localRunner.run>>;
      if (fetched.problems.length > 0) {
        const what = fetched.problems.map((p) => `${p.out} (${p.problem})`).join(', ');
        outcome = {
          ok: false,
          failure: {
            type: 'failure',
            reason: 'stage-input-error',
            stage: stage.name,
            message: `the job could not fetch its inputs from remote "${iso.remote.name}" (${url}): ${what}`,
          },
        };
      } else {
        for (const i of iso.inputs) await materialise(store, i.hash as ObjectId, path.join(work, i.path));
        log(`fetched ${iso.inputs.length} input(s) from ${url} into ${work}`);
        outcome = await localRunner.run({ stage, root: work, params: req.params, signal, onEvent });
      }
      if (!outcome.ok) onEvent(outcome.failure);
      const hasher = new PathHasher(work);
      const outs: Record<string, string | null> = {};
      const pushed: MovedPath[] = [];
      for (const o of stage.outs) {
        const h = outcome.ok ? hasher.hash(o.path, { needManifest: true }) : undefined;
        outs[o.path] = h?.hash ?? null;
        if (!h) continue;
        await store.putPath(path.join(work, o.path), h);
        pushed.push({
          path: o.path,
          hash: h.hash,
          size: h.size,
          ...(h.nfiles !== undefined ? { nfiles: h.nfiles } : {}),
        });
      }
      const sent = await pushOuts(store, s, refs(stage.name, pushed), CompleteDirs.forRemote(jobDir, url), opts);
      if (sent.problems.length > 0)
        return err(`could not push the outs to remote "${iso.remote.name}" (${url}): ${sent.problems[0]?.problem}`);
      if (pushed.length > 0) log(`pushed ${pushed.length} out(s) to ${url}`);
      const result = jobResult(outcome, outs, {
        pushed,
        workDir: work,
        logTail: logTail(iso.log.replace(/%j/g, jobId)),
      });
      await s.kv.write(iso.resultKey, `${JSON.stringify(result, null, 1)}\n`);
      return ok(outcome);
    });
    if (!r.ok) return { ok: false, message: r.error };
    if (r.value.ok) return { ok: true, exitCode: 0 };
    const f = r.value.failure;
    return { ok: true, exitCode: f.reason === 'exit-non-zero' && f.exitCode > 0 && f.exitCode < 256 ? f.exitCode : 1 };
  } finally {
    // The node's scratch space is not ours to fill: everything worth keeping is on the remote now.
    fs.rmSync(jobDir, { recursive: true, force: true });
  }
}

function refs(stage: string, paths: readonly MovedPath[]) {
  return paths.map((m) => ({ stage, path: m.path, hash: m.hash as ObjectId, size: m.size }));
}

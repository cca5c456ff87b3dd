/**
 * Data movement for jobs without a shared filesystem (`executor.slurm.shared_fs: false`), on the
 * coordinator's side. Before a submission: the stage's inputs (deps, params files, a module stage's code,
 * persist outs) are hashed in the workspace, put into the local cache and pushed to the default remote, so
 * the job can fetch exactly those bytes. After the job: its result record is read from the remote's record
 * store (`slurm-results/<run id>/<stage>.json`, three levels deep so the run cache never mistakes it for a
 * run), the outs' objects are fetched (verified) into the local cache and checked out into the workspace;
 * execute-stage then commits them as it does after a local run.
 * Owns: both transfers and the result record's key. Does not own: the job's side (./isolated-worker.ts).
 */
import path from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import type { StageSpec } from '../../model/spec.js';
import type { RemoteConfig } from '../../config/project-config.js';
import type { ObjectId } from '../../cache/object-store.js';
import { LocalObjectStore } from '../../cache/local-object-store.js';
import { materialise } from '../../cache/checkout.js';
import { PathHasher } from '../../hash/hash-path.js';
import { CodeClosure } from '../../code/code-closure.js';
import { isParsable } from '../../code/resolve-import.js';
import { RemoteFailureError } from '../../remote/errors.js';
import { openRemote, type RemoteStores } from '../../remote/registry.js';
import { describeRemoteUrl } from '../../remote/remote-url.js';
import { CompleteDirs } from '../../remote/dir-memory.js';
import { fetchOuts, pushOuts, type OutProblem } from '../../remote/transfer.js';
import type { JobResult, MovedPath } from './files.js';

/** Key of a job's result record in the remote's record store. */
export function resultKey(runId: string, stage: string): string {
  return `slurm-results/${runId}/${encodeURIComponent(stage)}.json`;
}

/** Runs `fn` with the remote open; a remote failure becomes a sentence. */
export async function withStores<T>(
  remote: RemoteConfig,
  root: string,
  create: boolean,
  fn: (s: RemoteStores) => Promise<Result<T, string>>,
): Promise<Result<T, string>> {
  let stores: RemoteStores | undefined;
  try {
    stores = await openRemote(remote, root, { create });
    return await fn(stores);
  } catch (e) {
    if (e instanceof RemoteFailureError)
      return err(
        `remote "${remote.name}" (${describeRemoteUrl(remote.url)}): ${e.failure.problem}: ${e.failure.detail}`,
      );
    throw e;
  } finally {
    await stores?.close();
  }
}

/** Project-relative paths the job needs in its work dir besides the command itself. */
function inputPaths(root: string, stage: StageSpec): { path: string; optional: boolean }[] {
  const wanted = new Map<string, boolean>();
  for (const d of stage.deps) wanted.set(d.path, false);
  for (const p of stage.params) wanted.set(p.file, false);
  if (stage.command.kind === 'module') {
    const roots = [stage.command.module as string, ...stage.deps.map((d) => d.path as string).filter(isParsable)];
    for (const f of new CodeClosure(root).stageCode(roots).files) wanted.set(f.path, false);
  }
  // A persist out is updated in place by its stage, so the job starts from the current one (if any).
  for (const o of stage.outs) if (o.persist && !wanted.has(o.path)) wanted.set(o.path, true);
  return [...wanted].map(([p, optional]) => ({ path: p, optional }));
}

/** Hashes the stage's inputs, stores them in the local cache and pushes them; what the job must fetch. */
export async function pushInputs(
  root: string,
  stage: StageSpec,
  remote: RemoteConfig,
): Promise<Result<MovedPath[], string>> {
  const hasher = new PathHasher(root);
  const store = LocalObjectStore.forProject(root);
  const inputs: MovedPath[] = [];
  for (const { path: p, optional } of inputPaths(root, stage)) {
    const h = hasher.hash(p, { needManifest: true });
    if (!h) {
      if (optional) continue;
      return err(`input ${p} of stage "${stage.name}" is missing from the workspace`);
    }
    await store.putPath(path.join(root, p), h);
    inputs.push({ path: p, hash: h.hash, size: h.size, ...(h.nfiles !== undefined ? { nfiles: h.nfiles } : {}) });
  }
  store.save();
  return withStores(remote, root, true, async (s) => {
    const url = describeRemoteUrl(remote.url);
    const report = await pushOuts(store, s, refs(stage.name, inputs), CompleteDirs.forRemote(root, url), {
      remote,
      url,
      jobs: remote.settings.jobs ?? s.defaultJobs,
    });
    return report.problems.length > 0 ? err(`could not push ${problemsText(report.problems)}`) : ok(inputs);
  });
}

/** The job's result record from the remote, or undefined when it wrote none (yet). */
export async function readRemoteResult(
  root: string,
  remote: RemoteConfig,
  key: string,
): Promise<Result<JobResult | undefined, string>> {
  return withStores(remote, root, false, async (s) => {
    const data = await s.kv.read(key);
    if (!data) return ok(undefined);
    try {
      return ok(JSON.parse(data.toString('utf8')) as JobResult);
    } catch {
      return ok(undefined);
    }
  });
}

/** Deletes a result record the coordinator has read; best effort (a leftover record is only clutter). */
export async function forgetRemoteResult(root: string, remote: RemoteConfig, key: string): Promise<void> {
  await withStores(remote, root, false, async (s) => {
    await s.kv.delete(key);
    return ok(undefined);
  });
}

/**
 * Fetches the outs the job pushed into the local cache (each object verified) and checks them out into
 * the workspace; then forgets the result record (the coordinator has taken over).
 */
export async function fetchPushedOuts(
  root: string,
  stage: string,
  remote: RemoteConfig,
  key: string,
  pushed: readonly MovedPath[],
): Promise<Result<void, string>> {
  const store = LocalObjectStore.forProject(root);
  return withStores(remote, root, false, async (s) => {
    const report = await fetchOuts(store, s, refs(stage, pushed), {
      remote,
      url: describeRemoteUrl(remote.url),
      jobs: remote.settings.jobs ?? s.defaultJobs,
    });
    if (report.problems.length > 0) return err(`could not fetch ${problemsText(report.problems)}`);
    for (const o of pushed) await materialise(store, o.hash as ObjectId, path.join(root, o.path));
    await s.kv.delete(key);
    return ok(undefined);
  });
}

function refs(stage: string, paths: readonly MovedPath[]) {
  return paths.map((m) => ({ stage, path: m.path, hash: m.hash as ObjectId, size: m.size }));
}

function problemsText(problems: readonly OutProblem[]): string {
  return problems.map((p) => `${p.out} (${p.problem}, e.g. object ${p.objects[0]?.id ?? '?'})`).join('; ');
}

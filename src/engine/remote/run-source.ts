/**
 * `repro --pull`: the RemoteRunSource that execute-stage.ts consults for a stale stage. The remote is
 * opened on first use (a no-op repro never connects) and stays open for the run; every object comes in
 * through the verified fetch, and a fetched run-cache record is also written to the local run cache so
 * the next repro finds it without the remote. Failures become a sentence (the stage then runs).
 * Owns: that adapter. Does not own: the decision (plan.ts) or transfers (transfer.ts).
 */
import { err, ok, type Result } from '../model/result.js';
import type { Project } from '../project.js';
import type { StageKey } from '../model/brands.js';
import type { LockedOut } from '../lock/lockfile.js';
import { RunCache } from '../cache/run-cache.js';
import type { RemoteRunSource } from '../execute-stage.js';
import { RemoteFailureError } from './errors.js';
import { openRemote, type RemoteStores } from './registry.js';
import { describeRemoteUrl } from './remote-url.js';
import { findRemote, type RemoteOpError } from './session.js';
import { fetchOuts, type OutProblem } from './transfer.js';

export interface OpenedRunSource extends RemoteRunSource {
  close(): Promise<void>;
}

export function remoteRunSource(
  project: Project,
  opts: { remote?: string; jobs?: number } = {},
): Result<OpenedRunSource, RemoteOpError> {
  const found = findRemote(project, opts.remote);
  if (!found.ok) return err(found.error);
  const config = found.value;
  const url = describeRemoteUrl(config.url);
  let opening: Promise<RemoteStores> | undefined;
  const stores = () => (opening ??= openRemote(config, project.root, { create: false }));
  const describe = (e: unknown): string => {
    if (e instanceof RemoteFailureError)
      return `could not use remote "${config.name}" (${url}): ${e.failure.problem}: ${e.failure.detail}`;
    throw e;
  };
  const fetchAll = async (stage: string, outs: readonly LockedOut[]): Promise<string | undefined> => {
    const s = await stores();
    const refs = outs
      .filter((o) => o.cache !== false)
      .map((o) => ({ stage, path: o.path, hash: o.hash, size: o.size }));
    const r = await fetchOuts(project.store, s, refs, {
      remote: config,
      url,
      jobs: opts.jobs ?? config.settings.jobs ?? s.defaultJobs,
    });
    return r.problems.length > 0
      ? `remote "${config.name}" (${url}) could not deliver ${r.problems.map(problemText).join('; ')}`
      : undefined;
  };
  return ok({
    name: config.name,
    async fetchRun(stage: string, key: StageKey) {
      try {
        const entry = await new RunCache((await stores()).kv).get(stage, key);
        if (!entry) return undefined;
        const problem = await fetchAll(stage, entry.outs);
        if (problem !== undefined) return { error: problem };
        await project.runCache.put(entry);
        return { outs: entry.outs };
      } catch (e) {
        return { error: describe(e) };
      }
    },
    async fetchOuts(stage: string, outs: readonly LockedOut[]) {
      try {
        const problem = await fetchAll(stage, outs);
        return problem !== undefined ? { error: problem } : {};
      } catch (e) {
        return { error: describe(e) };
      }
    },
    async close() {
      if (opening) await (await opening.catch(() => undefined))?.close();
    },
  });
}

function problemText(p: OutProblem): string {
  const what = p.problem === 'corrupt-remote' ? 'corrupt on the remote (rejected)' : 'missing on the remote';
  return `${p.out}: ${p.objects.length} object(s) ${what}, e.g. ${p.objects[0]?.id ?? '?'}`;
}

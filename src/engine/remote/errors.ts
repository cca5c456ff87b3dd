/**
 * What can go wrong talking to a remote, as data: a `RemoteFailure` names the remote (its URL, never a
 * credential), the side that failed and the problem; the CLI turns it into one paragraph saying what to do
 * (cli/render/remote-views.ts). Backends throw `RemoteFailureError` for what they recognise (auth, a
 * missing bucket); `classifyError` maps the rest (errno codes) so every backend gets the same wording.
 * Owns: the failure vocabulary and the errno mapping. Does not own: wording (the CLI).
 */
import type { RemoteConfig } from '../config/project-config.js';
import { describeRemoteUrl } from './remote-url.js';

export type RemoteProblem =
  /** The remote directory (or bucket prefix) does not exist. */
  | 'not-found'
  | 'permission-denied'
  /** No space left: on the remote (push) or on the disk holding `cache/` (fetch). */
  | 'disk-full'
  | 'unreachable'
  | 'auth-failed'
  | 'missing-bucket'
  /** Any other I/O error; `detail` says which. */
  | 'io';

export interface RemoteFailure {
  problem: RemoteProblem;
  /** The remote's name in the config. */
  remote: string;
  /** Its URL for messages (parseRemoteUrl refuses passwords, so it holds no secret). */
  url: string;
  /** Where it failed: the remote, or the local `cache/` the bytes were going into. */
  where: 'remote' | 'local-cache';
  /** The underlying error message (an errno text and path), for the user to act on. */
  detail: string;
}

/** Thrown inside remote operations; the façade functions return it as a Result error. */
export class RemoteFailureError extends Error {
  constructor(readonly failure: RemoteFailure) {
    super(`remote ${failure.remote} (${failure.url}): ${failure.problem}: ${failure.detail}`);
    this.name = 'RemoteFailureError';
  }
}

export function remoteFailure(
  remote: RemoteConfig,
  problem: RemoteProblem,
  detail: string,
  where: RemoteFailure['where'] = 'remote',
): RemoteFailureError {
  return new RemoteFailureError({ problem, remote: remote.name, url: describeRemoteUrl(remote.url), where, detail });
}

const BY_CODE: Readonly<Record<string, RemoteProblem>> = {
  ENOENT: 'not-found',
  ENOTDIR: 'not-found',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EROFS: 'permission-denied',
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ETIMEDOUT: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
};

/**
 * The failure for error `e` met while moving bytes of `remote`. `writingLocal`: the bytes were going into
 * the local cache (a fetch), so a full disk is the local one.
 */
export function classifyError(e: unknown, remote: RemoteConfig, writingLocal = false): RemoteFailureError {
  if (e instanceof RemoteFailureError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const problem = (code !== undefined ? BY_CODE[code] : undefined) ?? 'io';
  const where = writingLocal && (problem === 'disk-full' || problem === 'permission-denied') ? 'local-cache' : 'remote';
  return remoteFailure(remote, problem, e instanceof Error ? e.message : String(e), where);
}

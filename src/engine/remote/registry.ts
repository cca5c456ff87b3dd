/**
 * The remote registry: opens a configured remote by its URL kind, as an ObjectStore (the objects, laid out
 * like `cache/`: `ab/cdef…`) and a KeyValueStore (run-cache records under `runs/`). Each backend is a module
 * under ./backends/ exporting `open`, loaded only when a remote of its kind is used, so `xpipe status`
 * never loads an SSH or S3 client. Adding a backend is one line in BACKENDS.
 * Owns: the kind → backend table and the backend contract. Does not own: any protocol (the backends).
 */
import type { KeyValueStore, ObjectStore } from '../cache/object-store.js';
import type { RemoteConfig } from '../config/project-config.js';
import type { RemoteUrl } from './remote-url.js';
import { remoteFailure } from './errors.js';

/** An opened remote. */
export interface RemoteStores {
  objects: ObjectStore;
  /** Run-cache records (`<stage>/<run key>.json`, under `runs/` on the remote). */
  kv: KeyValueStore;
  /** Parallel transfers when neither -j nor the remote's `jobs` setting says otherwise. */
  defaultJobs: number;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

export interface OpenContext {
  /** Project root (relative settings such as a key file resolve against it). */
  root: string;
  /** Create the remote location when it is missing (push); reads fail with `not-found` instead. */
  create: boolean;
}

/** What a backend module exports. Failures it recognises are thrown as RemoteFailureError. */
export interface RemoteBackend {
  open(remote: RemoteConfig, ctx: OpenContext): Promise<RemoteStores>;
}

const notBuiltYet = (name: string): string => `./backends/${name}.js`;

/** URL kind → backend module. Backends not written yet are non-literal so the build does not need them. */
const BACKENDS: Readonly<Record<RemoteUrl['kind'], () => Promise<RemoteBackend>>> = {
  local: () => import('./backends/local.js'),
  ssh: () => import('./backends/ssh.js'),
  s3: () => import(notBuiltYet('s3')) as Promise<RemoteBackend>,
};

export async function openRemote(remote: RemoteConfig, root: string, opts: { create?: boolean } = {}): Promise<RemoteStores> {
  const kind = remote.url.kind;
  let backend: RemoteBackend;
  try {
    backend = await BACKENDS[kind]();
  } catch (e) {
    // Only the backend module itself missing means "not built in"; a missing dependency of it is a real error.
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.includes(`backends/${kind}.`) || msg.includes(`backends/${kind}'`)) {
      throw remoteFailure(remote, 'backend-not-built', `no ${kind} backend in this build of xpipe`);
    }
    throw e;
  }
  return backend.open(remote, { root, create: opts.create ?? false });
}

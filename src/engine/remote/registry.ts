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

/** URL kind → backend module, imported only when a remote of that kind is used. */
const BACKENDS: Readonly<Record<RemoteUrl['kind'], () => Promise<RemoteBackend>>> = {
  local: () => import('./backends/local.js'),
  ssh: () => import('./backends/ssh.js'),
  s3: () => import('./backends/s3.js'),
};

export async function openRemote(
  remote: RemoteConfig,
  root: string,
  opts: { create?: boolean } = {},
): Promise<RemoteStores> {
  const kind = remote.url.kind;
  const backend = await BACKENDS[kind]();
  return backend.open(remote, { root, create: opts.create ?? false });
}

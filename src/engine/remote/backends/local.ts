/**
 * The path backend (`/mnt/nas/xpipe`, `file:///…`): a directory laid out exactly like `cache/`
 * (`ab/cdef…` objects, `runs/` records), so it can be rsynced, shared over NFS and used by several
 * projects. It IS the local store (LocalObjectStore / LocalKeyValueStore rooted at the remote path), so
 * writes go through `<remote>/tmp/` and a rename: an interrupted push never leaves a partial object under
 * its final name (stray temp files in `<remote>/tmp/` are harmless and may be deleted).
 * Owns: opening and checking the directory. Does not own: the layout (cache/local-object-store.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { LocalObjectStore } from '../../cache/local-object-store.js';
import { LocalKeyValueStore } from '../../cache/local-kv-store.js';
import type { RemoteConfig } from '../../config/project-config.js';
import { classifyError, remoteFailure } from '../errors.js';
import type { OpenContext, RemoteStores } from '../registry.js';

/** A local disk or NFS mount: a few parallel copies keep it busy without thrashing. */
const DEFAULT_JOBS = 4;

export async function open(remote: RemoteConfig, ctx: OpenContext): Promise<RemoteStores> {
  if (remote.url.kind !== 'local') throw new Error(`path backend given a ${remote.url.kind} remote`);
  const dir = remote.url.path;
  const st = fs.statSync(dir, { throwIfNoEntry: false });
  if (!st) {
    // Create the remote directory for a push, but only inside an existing parent: an unmounted NFS share
    // must not silently become a directory on the local disk.
    if (!ctx.create) throw remoteFailure(remote, 'not-found', `the directory ${dir} does not exist`);
    if (!fs.statSync(path.dirname(dir), { throwIfNoEntry: false })?.isDirectory()) {
      throw remoteFailure(remote, 'not-found', `neither ${dir} nor its parent directory exists`);
    }
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      throw classifyError(e, remote);
    }
  } else if (!st.isDirectory()) {
    throw remoteFailure(remote, 'not-found', `${dir} is not a directory`);
  }
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.X_OK | (ctx.create ? fs.constants.W_OK : 0));
  } catch (e) {
    throw classifyError(e, remote);
  }
  return {
    objects: new LocalObjectStore(dir),
    kv: new LocalKeyValueStore(path.join(dir, 'runs')),
    defaultJobs: DEFAULT_JOBS,
    close: async () => {},
  };
}

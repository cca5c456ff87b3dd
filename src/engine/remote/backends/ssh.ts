/**
 * The SSH/SFTP backend (`ssh://[user@]host[:port]/path`): one SSH connection per opened remote with a
 * pool of SFTP channels (ssh-session.ts), and the cache layout over SFTP (ssh-store.ts). Opening checks
 * the remote directory, creating it for a push when its parent exists (a mistyped path must not grow a
 * directory tree on the host).
 * Owns: opening the remote. Does not own: connecting, authentication, host keys (ssh-session.ts) or the
 * layout (ssh-store.ts).
 */
import { posix } from 'node:path';
import type { Stats } from 'ssh2';
import type { RemoteConfig } from '../../config/project-config.js';
import { classifyError, remoteFailure } from '../errors.js';
import { describeRemoteUrl } from '../remote-url.js';
import type { OpenContext, RemoteStores } from '../registry.js';
import { resolveTarget, SshSession } from './ssh-session.js';
import { SftpKeyValueStore, SftpObjectStore } from './ssh-store.js';

/** Parallel transfers: one per SFTP channel (the session opens at most 8). */
const DEFAULT_JOBS = 8;

export async function open(remote: RemoteConfig, ctx: OpenContext): Promise<RemoteStores> {
  if (remote.url.kind !== 'ssh') throw new Error(`ssh backend given a ${remote.url.kind} remote`);
  const dir = remote.url.path;
  const target = resolveTarget(remote, ctx.root);
  const session = await SshSession.connect(remote, target);
  try {
    await session.use(async (sftp) => {
      const stat = (p: string) =>
        new Promise<Stats | undefined>((resolve, reject) =>
          sftp.stat(p, (e, st) =>
            e ? ((e as { code?: unknown }).code === 2 ? resolve(undefined) : reject(e)) : resolve(st),
          ),
        );
      const st = await stat(dir);
      if (st && !st.isDirectory())
        throw remoteFailure(remote, 'not-found', `${dir} on ${target.host} is not a directory`);
      if (st) return;
      if (!ctx.create)
        throw remoteFailure(remote, 'not-found', `the directory ${dir} does not exist on ${target.host}`);
      if (!(await stat(posix.dirname(dir)))?.isDirectory())
        throw remoteFailure(remote, 'not-found', `neither ${dir} nor its parent directory exists on ${target.host}`);
      await new Promise<void>((resolve, reject) =>
        sftp.mkdir(dir, (e) =>
          e
            ? reject(
                Object.assign(new Error(`create ${dir}: ${e.message}`), {
                  code: (e as { code?: unknown }).code === 3 ? 'EACCES' : undefined,
                }),
              )
            : resolve(),
        ),
      );
    });
  } catch (e) {
    await session.close();
    throw classifyError(e, remote);
  }
  const where = describeRemoteUrl(remote.url);
  return {
    objects: new SftpObjectStore(session, dir, where),
    kv: new SftpKeyValueStore(session, posix.join(dir, 'runs'), `${where}/runs`),
    defaultJobs: DEFAULT_JOBS,
    close: () => session.close(),
  };
}

/**
 * One SSH connection to a remote's host and a pool of SFTP channels on it (`ssh2`, no `ssh` process).
 * Where to connect and as whom: the URL, then the remote's settings (`user`, `port`, `keyfile`,
 * `timeout`), then `~/.ssh/config`. Authentication order: the remote's `keyfile` (or ssh_config's
 * IdentityFile), the agent (SSH_AUTH_SOCK), then the default key files (~/.ssh/id_ed25519, id_ecdsa,
 * id_rsa). The host key must be in ~/.ssh/known_hosts (or ssh_config's UserKnownHostsFile); an unknown or
 * changed key fails the connection, never silently accepted. Key material is never logged: messages name
 * key files and fingerprints only.
 * Channels are opened lazily, at most `MAX_CHANNELS` (OpenSSH's MaxSessions default is 10), fewer if the
 * server refuses one; each operation borrows the least busy channel, so one connection serves every
 * parallel transfer instead of a connection per file.
 * Owns: connecting, authentication, host keys, the channel pool, mapping SSH failures to remote failures.
 * Does not own: the object layout (ssh-store.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { AuthenticationType, Client, ClientChannel, ConnectConfig, SFTPWrapper } from 'ssh2';
import type { RemoteConfig } from '../../config/project-config.js';
import { remoteFailure, RemoteFailureError } from '../errors.js';
import { expandSshPath, readSshConfig } from './ssh-config.js';
import {
  fingerprint,
  hostField,
  knownKeysFor,
  preferredHostKeyAlgorithms,
  verdictFor,
  type HostKeyVerdict,
} from './ssh-known-hosts.js';

/** Below OpenSSH's default MaxSessions (10): leaves room for a user's own sessions on a multiplexed link. */
export const MAX_CHANNELS = 8;
const DEFAULT_TIMEOUT_SEC = 20;
const DEFAULT_KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
// ssh2 is CommonJS: Node's ESM loader only exposes its default export (named imports fail at run time).
const { Client: SshClient, utils } = ssh2;
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Where and how to connect, resolved from URL, settings and ssh_config. */
export interface SshTarget {
  /** The name in the URL (the ssh_config alias). */
  alias: string;
  host: string;
  port: number;
  user: string;
  /** Key files to offer, in order, before the agent (explicit ones) and after it (defaults). */
  explicitKeys: string[];
  defaultKeys: string[];
  agent?: string;
  knownHostsFiles: string[];
  timeoutMs: number;
}

export function resolveTarget(remote: RemoteConfig, root: string, env: NodeJS.ProcessEnv = process.env): SshTarget {
  if (remote.url.kind !== 'ssh') throw new Error(`ssh backend given a ${remote.url.kind} remote`);
  const url = remote.url;
  const s = remote.settings;
  const home = os.homedir();
  const conf = readSshConfig(path.join(home, '.ssh', 'config'), url.host);
  const host = conf.hostName?.replace(/%h/g, url.host) ?? url.host;
  const user = url.user ?? s.user ?? conf.user ?? os.userInfo().username;
  const tokens = { host, user };
  const explicitKeys =
    s.keyfile !== undefined
      ? [path.resolve(root, expandSshPath(s.keyfile, tokens, home))]
      : conf.identityFiles.map((f) => expandSshPath(f, tokens, home));
  const onlyExplicit = s.keyfile !== undefined || conf.identitiesOnly === true;
  const knownHostsFiles = (conf.userKnownHostsFiles ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) =>
    expandSshPath(f, tokens, home),
  );
  return {
    alias: url.host,
    host,
    port: url.port ?? s.port ?? conf.port ?? 22,
    user,
    explicitKeys,
    defaultKeys: onlyExplicit
      ? []
      : DEFAULT_KEY_FILES.map((f) => path.join(home, '.ssh', f)).filter((f) => !explicitKeys.includes(f)),
    ...(!onlyExplicit && env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}),
    knownHostsFiles,
    timeoutMs: (s.timeout ?? conf.connectTimeoutSec ?? DEFAULT_TIMEOUT_SEC) * 1000,
  };
}

/** The failure for the host key verdict, naming the host and what to do. */
function hostKeyFailure(
  remote: RemoteConfig,
  t: SshTarget,
  v: Exclude<HostKeyVerdict, { status: 'known' }>,
  offered: Buffer,
): RemoteFailureError {
  const name = hostField(t.host, t.port);
  const fp = fingerprint(offered);
  const files = t.knownHostsFiles.join(', ');
  const connect = `ssh${t.port !== 22 ? ` -p ${t.port}` : ''} ${t.user}@${t.host}`;
  switch (v.status) {
    case 'unknown':
      return remoteFailure(
        remote,
        'io',
        `the host key of ${name} (${fp}) is not in known_hosts (${files})${v.otherTypes.length > 0 ? `, which only has ${v.otherTypes.join(', ')} keys for it` : ''}, so xpipe will not trust the host. Check the fingerprint with the host's administrator, then add it by connecting once with "${connect}" (or ssh-keyscan) and answering yes; xpipe never accepts an unknown host key by itself`,
      );
    case 'changed':
      return remoteFailure(
        remote,
        'io',
        `the host key of ${name} has CHANGED: it offered ${fp}, which differs from the key in ${v.file} line ${v.line}. This can be an attack (someone intercepting the connection) or a reinstalled host. Ask the host's administrator; if the change is expected, remove the old key with "ssh-keygen -R '${name}'" and connect once with "${connect}"`,
      );
    case 'revoked':
      return remoteFailure(
        remote,
        'io',
        `the host key of ${name} (${fp}) is marked @revoked in ${v.file} line ${v.line}; xpipe will not connect. Ask the host's administrator`,
      );
  }
}

/** A readable key file as a private key ssh2 accepts, or why it is skipped (never the key itself). */
function loadKey(file: string): { key: Buffer } | { skip: string } | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : { skip: `${file} (unreadable: ${code})` };
  }
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) {
    return {
      skip: /passphrase|encrypted/i.test(parsed.message)
        ? `${file} (passphrase-protected: add it to the ssh agent with ssh-add)`
        : `${file} (not a private key ssh2 can read)`,
    };
  }
  return { key: data };
}

/** The connection and its channels. */
export class SshSession {
  private readonly channels: { sftp: SFTPWrapper; busy: number }[] = [];
  private opening: Promise<void> | undefined;
  private cap = MAX_CHANNELS;
  /** Set once the connection dropped: every later operation fails with it. */
  lost: RemoteFailureError | undefined;
  private closed = false;
  private readonly lossListeners = new Set<(e: RemoteFailureError) => void>();
  /** The server supports posix-rename@openssh.com (atomic replace). */
  posixRename = false;
  statvfs = false;

  private constructor(
    readonly client: Client,
    readonly remote: RemoteConfig,
    readonly target: SshTarget,
  ) {
    client.on('error', (e) => this.drop(e));
    client.on('close', () => this.drop(new Error('the connection closed')));
  }

  static async connect(remote: RemoteConfig, target: SshTarget): Promise<SshSession> {
    const client = new SshClient();
    const known = knownKeysFor(target.knownHostsFiles, target.host, target.port);
    let hostKeyError: RemoteFailureError | undefined;
    const tried: string[] = [];
    const skipped: string[] = [];
    const methods: (() => object | undefined)[] = [];
    const keyMethod = (file: string) => () => {
      const k = loadKey(file);
      if (k === undefined) return undefined;
      if ('skip' in k) {
        skipped.push(k.skip);
        return undefined;
      }
      tried.push(file);
      return { type: 'publickey', username: target.user, key: k.key };
    };
    for (const f of target.explicitKeys) methods.push(keyMethod(f));
    if (target.agent) {
      const agent = target.agent;
      methods.push(() => {
        tried.push('the ssh agent (SSH_AUTH_SOCK)');
        return { type: 'agent', username: target.user, agent };
      });
    }
    for (const f of target.defaultKeys) methods.push(keyMethod(f));
    for (const f of target.explicitKeys) {
      if (!fs.existsSync(f)) skipped.push(`${f} (does not exist)`);
    }

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: target.timeoutMs,
      // A dead server (stopped, network gone) is noticed within ~3 intervals even mid-transfer.
      keepaliveInterval: Math.min(5000, target.timeoutMs),
      keepaliveCountMax: 3,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(known, HOST_KEY_ALGORITHMS) as never },
      hostVerifier: (key: Buffer) => {
        const v = verdictFor(known, key);
        if (v.status === 'known') return true;
        hostKeyError = hostKeyFailure(remote, target, v, key);
        return false;
      },
      authHandler: (_left, _partial, next) => {
        while (methods.length > 0) {
          const m = (methods.shift() as () => object | undefined)();
          if (m !== undefined) return next(m as unknown as AuthenticationType);
        }
        return next(false as unknown as AuthenticationType);
      },
    };
    await new Promise<void>((resolve, reject) => {
      const onError = (e: Error & { level?: string }) => {
        client.removeListener('ready', onReady);
        client.end();
        if (hostKeyError) return reject(hostKeyError);
        if (e.level === 'client-authentication') {
          const what =
            tried.length > 0
              ? `tried ${tried.join(', ')}`
              : skipped.length > 0
                ? 'no usable key to offer'
                : 'no key to offer: no keyfile setting, no IdentityFile in ~/.ssh/config, no ssh agent and no ~/.ssh/id_* key';
          return reject(
            remoteFailure(
              remote,
              'auth-failed',
              `${target.user}@${hostField(target.host, target.port)} refused public-key authentication (${what}${skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : ''})`,
            ),
          );
        }
        reject(connectFailure(remote, target, e));
      };
      const onReady = () => {
        client.removeListener('error', onError);
        resolve();
      };
      client.once('error', onError);
      client.once('ready', onReady);
      try {
        client.connect(config);
      } catch (e) {
        onError(e as Error);
      }
    });
    const session = new SshSession(client, remote, target);
    await session.openChannel();
    const first = session.channels[0]?.sftp as SFTPWrapper & { _extensions?: Record<string, string> };
    const ext = first._extensions ?? {};
    session.posixRename = 'posix-rename@openssh.com' in ext;
    session.statvfs = 'statvfs@openssh.com' in ext;
    return session;
  }

  private drop(e: Error & { level?: string }): void {
    if (this.lost || this.closed) return;
    this.lost = connectFailure(this.remote, this.target, e, true);
    for (const l of this.lossListeners) l(this.lost);
  }

  private async openChannel(): Promise<void> {
    const sftp = await new Promise<SFTPWrapper>((resolve, reject) =>
      this.client.sftp((e, s) => (e ? reject(e) : resolve(s))),
    );
    sftp.on('error', () => {}); // a channel error fails its pending requests, which report it
    this.channels.push({ sftp, busy: 0 });
  }

  /** Runs `fn` on the least busy channel, opening another while under the cap. */
  async use<T>(fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      return await fn(lease.sftp);
    } catch (e) {
      throw this.lost ?? e;
    } finally {
      lease.release();
    }
  }

  /** Borrows the least busy channel until `release` (a read stream holds it while it is consumed). */
  async acquire(): Promise<{ sftp: SFTPWrapper; release(): void }> {
    for (;;) {
      if (this.lost) throw this.lost;
      const idle = this.channels.find((c) => c.busy === 0);
      if (!idle && this.channels.length < this.cap && !this.opening) {
        this.opening = this.openChannel()
          .catch((e: unknown) => {
            // The server allows fewer sessions (MaxSessions): keep what we have.
            if (this.channels.length === 0) throw e;
            this.cap = this.channels.length;
          })
          .finally(() => (this.opening = undefined));
        await this.opening;
        continue;
      }
      const ch = idle ?? this.channels.reduce((a, b) => (b.busy < a.busy ? b : a));
      ch.busy++;
      let released = false;
      return {
        sftp: ch.sftp,
        release: () => {
          if (!released) ch.busy--;
          released = true;
        },
      };
    }
  }

  /** Calls `fn` if the connection drops (an upload waiting on its source must not wait forever); returns the unsubscribe. */
  onLoss(fn: (e: RemoteFailureError) => void): () => void {
    this.lossListeners.add(fn);
    return () => this.lossListeners.delete(fn);
  }

  /** The channel count (for tests and the benchmark). */
  get channelCount(): number {
    return this.channels.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      this.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.client.end();
    });
  }
}

/** A connection-level failure (refused, timed out, dropped) as a remote failure. */
function connectFailure(
  remote: RemoteConfig,
  t: SshTarget,
  e: Error & { level?: string; code?: unknown },
  midway = false,
): RemoteFailureError {
  if (e instanceof RemoteFailureError) return e;
  const where = hostField(t.host, t.port);
  const code = typeof e.code === 'string' ? ` (${e.code})` : '';
  if (e.level === 'client-timeout')
    return remoteFailure(
      remote,
      'unreachable',
      `no SSH handshake with ${where} within ${t.timeoutMs / 1000} s (raise the remote's timeout setting for a slow link)`,
    );
  if (midway)
    return remoteFailure(
      remote,
      'unreachable',
      `the SSH connection to ${where} was lost during the transfer: ${e.message}${code}`,
    );
  return remoteFailure(remote, 'unreachable', `cannot connect to ${where}: ${e.message}${code}`);
}

export type { ClientChannel };

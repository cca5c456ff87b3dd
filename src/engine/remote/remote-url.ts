/**
 * Remote URLs as users write them in `xpipe remote add NAME URL`: a path or `file://` URL (a shared
 * filesystem, NFS), `ssh://[user@]host[:port]/path`, `s3://bucket[/prefix]`. Pure.
 * Owns: parsing and describing remote URLs. Does not own: connecting (the backends do).
 */
import path from 'node:path';
import { err, ok, type Result } from '../model/result.js';

export type RemoteUrl =
  | { kind: 'local'; path: string }
  | { kind: 'ssh'; host: string; path: string; user?: string; port?: number }
  | { kind: 's3'; bucket: string; prefix: string };

/**
 * Parses `text`; a relative path is resolved against `baseDir` (the project root). The error is a
 * sentence to show after "remote URL ...: ".
 */
export function parseRemoteUrl(text: string, baseDir: string): Result<RemoteUrl, string> {
  const t = text.trim();
  if (t === '') return err('it is empty; give a path, ssh://host/path or s3://bucket/prefix');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(t)?.[1]?.toLowerCase();
  if (scheme === undefined) return ok({ kind: 'local', path: path.resolve(baseDir, t) });
  if (scheme === 'file') {
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      return err('it is not a valid file:// URL; write file:///absolute/path or just the path');
    }
    if (u.host !== '' && u.host !== 'localhost')
      return err(
        `file:// URLs name no host (got "${u.host}"); write file:///absolute/path, or ssh://${u.host}/path for another machine`,
      );
    return ok({ kind: 'local', path: decodeURIComponent(u.pathname) });
  }
  if (scheme === 'ssh') {
    let u: URL;
    try {
      u = new URL(t);
    } catch {
      return err('it is not a valid ssh:// URL; write ssh://[user@]host[:port]/path');
    }
    if (u.hostname === '') return err('it names no host; write ssh://[user@]host[:port]/path');
    if (u.password !== '')
      return err(
        'it contains a password; xpipe never stores passwords: remove it and use an SSH key (the agent, ~/.ssh/config or keyfile)',
      );
    const p = decodeURIComponent(u.pathname);
    if (p === '' || p === '/') return err('it names no directory on the host; write ssh://host/absolute/path');
    return ok({
      kind: 'ssh',
      host: u.hostname.replace(/^\[|\]$/g, ''),
      path: p,
      ...(u.username !== '' ? { user: decodeURIComponent(u.username) } : {}),
      ...(u.port !== '' ? { port: Number(u.port) } : {}),
    });
  }
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(t);
    const bucket = m?.[1] ?? '';
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      return err(`"${bucket}" is not a valid S3 bucket name (3-63 lower-case letters, digits, "." or "-")`);
    const prefix = (m?.[2] ?? '').replace(/\/+$/, '');
    return ok({ kind: 's3', bucket, prefix });
  }
  return err(`the scheme "${scheme}://" is not supported; use a path, file://, ssh:// or s3://`);
}

/** The URL for messages (never contains a secret: parseRemoteUrl rejects passwords). */
export function describeRemoteUrl(url: RemoteUrl): string {
  switch (url.kind) {
    case 'local':
      return url.path;
    case 'ssh':
      return `ssh://${url.user !== undefined ? `${url.user}@` : ''}${url.host}${url.port !== undefined ? `:${url.port}` : ''}${url.path}`;
    case 's3':
      return `s3://${url.bucket}${url.prefix !== '' ? `/${url.prefix}` : ''}`;
  }
}

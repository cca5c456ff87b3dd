/**
 * The S3 client of an `s3://` remote: built from the remote's settings (`endpoint` → path-style addressing,
 * `region`, `profile`) with credentials ONLY from the standard AWS chain (environment variables, ~/.aws,
 * the profile): xpipe never reads, stores or prints a secret. Also: request counting (so tests and the
 * benchmark can assert how many requests an operation cost), the Content-MD5 header some S3-compatible
 * servers (OpenStack Swift) require on DeleteObjects, and the mapping of S3 errors to remote failures.
 * Owns: client construction, request statistics, error classification. Does not own: the object layout
 * (s3-object-store.ts).
 */
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { RemoteConfig } from '../../config/project-config.js';
import { classifyError, remoteFailure, RemoteFailureError } from '../errors.js';

/** Requests actually sent (retries included), per S3 command, and the existence plans chosen. */
export interface S3Stats {
  requests: Record<string, number>;
  /** One entry per hasMany call: how many ids, the strategy, and the requests it cost. */
  existence: { ids: number; strategy: ExistenceStrategy; requests: number; estimatedObjects?: number }[];
}

export type ExistenceStrategy = 'head' | 'list-prefixes' | 'list-all';

/** Process-wide statistics: one CLI command opens one remote; in-process tests read and reset them. */
const stats: S3Stats = { requests: {}, existence: [] };

export function s3Stats(): S3Stats {
  return { requests: { ...stats.requests }, existence: stats.existence.map((e) => ({ ...e })) };
}

export function resetS3Stats(): void {
  stats.requests = {};
  stats.existence = [];
}

export function recordExistence(e: S3Stats['existence'][number]): void {
  stats.existence.push(e);
}

/** Total requests counted so far (all commands). */
export function totalRequests(s: S3Stats = stats): number {
  return Object.values(s.requests).reduce((a, b) => a + b, 0);
}

/** The region when neither the remote nor the environment names one (what S3-compatible servers use). */
const DEFAULT_REGION = 'us-east-1';

export interface S3Target {
  client: S3Client;
  bucket: string;
  /** `<prefix>/` or '' for the bucket root. */
  base: string;
  /** For messages: the endpoint, or "AWS S3". */
  where: string;
}

export function createS3Client(remote: RemoteConfig, maxSockets: number): S3Target {
  if (remote.url.kind !== 's3') throw new Error(`S3 backend given a ${remote.url.kind} remote`);
  const s = remote.settings;
  const env = process.env;
  const endpoint = s.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const agentOpts = { keepAlive: true, maxSockets };
  const config: S3ClientConfig = {
    region: s.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
    // An S3-compatible server on its own host has no per-bucket DNS names: address buckets by path.
    ...(endpoint !== undefined ? { endpoint, forcePathStyle: true } : { followRegionRedirects: true }),
    // The standard chain reads the named profile from ~/.aws instead of the default one.
    ...(s.profile !== undefined ? { profile: s.profile } : {}),
    requestHandler: { httpAgent: new http.Agent(agentOpts), httpsAgent: new https.Agent(agentOpts) },
  };
  // The SDK warns on stderr that its releases after January 2027 need Node 22; xpipe pins its SDK version,
  // so the warning is not actionable for a user and would clutter every push. A user's own setting wins.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client(config);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      stats.requests[name] = (stats.requests[name] ?? 0) + 1;
      // S3 requires Content-MD5 on DeleteObjects; SDK v3 sends a CRC32 instead, which Swift refuses.
      const req = args.request as { body?: unknown; headers?: Record<string, string> };
      if (name === 'DeleteObjectsCommand' && typeof req.body === 'string' && req.headers) {
        req.headers['content-md5'] = crypto.createHash('md5').update(req.body).digest('base64');
      }
      return next(args);
    },
    // After the retry middleware, so every attempt on the wire is counted.
    { step: 'finalizeRequest', priority: 'low', name: 'xpipeCountAndMd5' },
  );
  return {
    client,
    bucket: remote.url.bucket,
    base: remote.url.prefix === '' ? '' : `${remote.url.prefix}/`,
    where: endpoint ?? 'AWS S3',
  };
}

const AUTH_CODES = new Set([
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
  'AuthorizationHeaderMalformed',
  'InvalidSecurity',
  'InvalidClientTokenId',
]);
const DENIED_CODES = new Set(['AccessDenied', 'AllAccessDisabled', 'AccountProblem']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

function errorName(e: unknown): string {
  const x = e as { name?: unknown; Code?: unknown; code?: unknown } | undefined;
  const name = x?.Code ?? x?.name;
  return typeof name === 'string' ? name : '';
}

export function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * The remote failure for S3 error `e`. Details are composed here from the error's code, never from the
 * request: the secret is never sent to the server, and the SDK's own messages are kept out of the detail
 * except for network errors (which name the endpoint only).
 */
export function classifyS3Error(
  e: unknown,
  remote: RemoteConfig,
  t: Pick<S3Target, 'bucket' | 'where'>,
  writingLocal = false,
): RemoteFailureError {
  if (e instanceof RemoteFailureError) return e;
  const name = errorName(e);
  const status = httpStatus(e);
  if (name === 'NoSuchBucket')
    return remoteFailure(
      remote,
      'missing-bucket',
      `${t.where} has no bucket "${t.bucket}" (create it, e.g. "aws s3 mb s3://${t.bucket}", or fix the URL)`,
    );
  if (AUTH_CODES.has(name))
    return remoteFailure(
      remote,
      'auth-failed',
      `${t.where} answered ${name} (the access key or secret from the AWS credential chain is wrong, expired, or for another account/region)`,
    );
  if (name === 'CredentialsProviderError')
    return remoteFailure(
      remote,
      'auth-failed',
      `no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure ~/.aws/credentials, or name a profile with "xpipe remote modify ${remote.name} profile NAME")`,
    );
  if (DENIED_CODES.has(name) || status === 403)
    return remoteFailure(
      remote,
      'permission-denied',
      `${t.where} answered ${name || 'HTTP 403'} for bucket "${t.bucket}" (the credentials are valid but lack s3:ListBucket, s3:GetObject or s3:PutObject there)`,
    );
  if (NETWORK_NAMES.has(name))
    return remoteFailure(remote, 'unreachable', `${t.where} did not answer in time (${name})`);
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && /^E[A-Z]+$/.test(code)) {
    const f = classifyError(e, remote, writingLocal);
    if (f.failure.problem === 'unreachable')
      return remoteFailure(
        remote,
        'unreachable',
        `${t.where} is not reachable (${code}); check the remote's endpoint setting and the network`,
      );
    return f;
  }
  if (status !== undefined)
    return remoteFailure(remote, 'io', `${t.where} answered HTTP ${status}${name !== '' ? ` ${name}` : ''}`);
  return classifyError(e, remote, writingLocal);
}

/**
 * Text for the remote commands: the transfer progress line, push/fetch/pull reports, `status --cloud`,
 * and the one paragraph per remote failure (what went wrong, on which remote, what to do).
 */
import {
  assertNever,
  type CloudStatus,
  type OutProblem,
  type PullReport,
  type RemoteFailure,
  type TransferProgress,
  type TransferReport,
} from '../../engine/index.js';
import { formatDuration, formatMs } from './progress-line.js';

/** `pushing  412/1000 files  1.2/3.4 MB  8.5 MB/s  ETA 0:12`. */
export function formatTransferProgress(p: TransferProgress): string {
  const rate = p.elapsedMs > 0 ? p.doneBytes / (p.elapsedMs / 1000) : 0;
  const eta =
    rate > 0 && p.totalBytes > p.doneBytes ? `  ETA ${formatDuration((p.totalBytes - p.doneBytes) / rate)}` : '';
  return `${p.direction === 'push' ? 'pushing' : 'fetching'}  ${p.doneObjects}/${p.totalObjects} files  ${bytes(p.doneBytes)}/${bytes(p.totalBytes)}  ${bytes(rate)}/s${eta}`;
}

/** Summary and problem lines of a push or fetch. */
export function formatTransferReport(r: TransferReport): string {
  const lines = r.problems.map((p) => formatOutProblem(r, p));
  const rate = r.durationMs > 0 && r.bytes > 0 ? `, ${bytes(r.bytes / (r.durationMs / 1000))}/s` : '';
  const verb =
    r.direction === 'push'
      ? `pushed ${r.objects} objects (${bytes(r.bytes)}) to`
      : `fetched ${r.objects} objects (${bytes(r.bytes)}) from`;
  lines.push(
    `${verb} ${r.remote} in ${formatMs(r.durationMs)}${rate}; ${r.alreadyThere} already ${r.direction === 'push' ? 'on the remote' : 'in cache/'}`,
  );
  if (r.runCache) {
    const skipped =
      r.runCache.skipped > 0
        ? ` (${r.runCache.skipped} left out: not all their objects are ${r.direction === 'push' ? 'on the remote' : 'in cache/'})`
        : '';
    lines.push(`run cache: ${r.runCache.copied} records ${r.direction === 'push' ? 'pushed' : 'fetched'}${skipped}`);
  }
  return `${lines.join('\n')}\n`;
}

function formatOutProblem(r: TransferReport, p: OutProblem): string {
  const first = p.objects[0]?.id ?? '';
  const more = p.objects.length > 1 ? ` and ${p.objects.length - 1} more` : '';
  switch (p.problem) {
    case 'missing-local':
      return `missing from cache/: ${p.out} of stage ${p.stage} (object ${first}${more}); not pushed. Run "xpipe repro ${p.stage}" to rebuild it, or "xpipe pull" it from another remote.`;
    case 'corrupt-local':
      return `corrupt in cache/: ${p.out} of stage ${p.stage} (object ${first}${more} hashes to ${p.objects[0]?.actual ?? '?'}); not pushed. Run "xpipe cache verify" to quarantine it, then "xpipe repro ${p.stage}" to rebuild it.`;
    case 'missing-remote':
      return `missing on remote ${r.remote}: ${p.out} of stage ${p.stage} (object ${objectUrl(r.url, first)}${more}). Push it from a machine that has it, or run "xpipe repro ${p.stage}".`;
    case 'corrupt-remote':
      return `corrupt on remote ${r.remote}: ${objectUrl(r.url, first)}${more} of ${p.out} (stage ${p.stage}) hashes to ${p.objects[0]?.actual ?? '?'}; rejected, not stored in cache/. Delete it on the remote and push it again from a good cache.`;
    default:
      return assertNever(p.problem, 'out problem');
  }
}

/** What `xpipe pull` prints after the fetch report. */
export function formatPullCheckout(r: PullReport): string {
  const c = r.checkout;
  const lines = c.restored.map((p) => `restored ${p}`);
  const fetchProblems = new Set(r.fetch.problems.map((p) => p.out));
  for (const p of c.notInCache)
    if (!fetchProblems.has(p)) lines.push(`not restored: ${p} is neither in cache/ nor on the remote`);
  lines.push(
    `${c.restored.length} restored, ${c.unchanged.length} already up to date, ${c.notInCache.length + c.corrupt.length} not restored`,
  );
  return `${lines.join('\n')}\n`;
}

/** The `status --cloud` table and totals. */
export function formatCloudStatus(s: CloudStatus): string {
  const rows = [
    ['stage', 'out', 'workspace', 'cache', 'remote'],
    ...s.outs.map((o) => [o.stage, o.path, o.workspace ? 'yes' : 'no', o.cache, o.remote]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd());
  return [
    `remote ${s.remote} (${s.url})`,
    ...(s.outs.length > 0 ? table : ['  no cached outs in pipeline.lock']),
    `push would upload ${s.push.objects} objects (${bytes(s.push.bytes)}); pull would download ${s.pull.objects} objects (${bytes(s.pull.bytes)})`,
    '',
  ].join('\n');
}

/** One paragraph: what failed on which remote, and what to do. Never contains a credential. */
export function formatRemoteFailure(f: RemoteFailure): string {
  const who = `remote "${f.remote}" (${f.url})`;
  switch (f.problem) {
    case 'not-found':
      return `error: ${who} cannot be used: ${f.detail}. Create it (or mount the share), or point the remote elsewhere with "xpipe remote modify ${f.remote} url URL". Nothing was transferred.`;
    case 'permission-denied':
      return f.where === 'local-cache'
        ? `error: cannot write to cache/ while fetching from ${who}: ${f.detail}. Check the permissions of cache/; nothing partial entered it.`
        : `error: permission denied on ${who}: ${f.detail}. Check that your user may read and write there; no partial object was left under its final name.`;
    case 'disk-full':
      return f.where === 'local-cache'
        ? `error: the disk holding cache/ is full while fetching from ${who}: ${f.detail}. Free space ("xpipe gc" removes unused objects) and run again; objects fetched completely are kept and nothing partial entered cache/.`
        : `error: ${who} is out of space: ${f.detail}. Free space there and push again; objects already pushed stay, and no partial object was left under its final name.`;
    case 'unreachable':
      return `error: cannot reach ${who}: ${f.detail}. Check the host name, port and network, then run again; what was transferred completely is kept.`;
    case 'auth-failed':
      return `error: ${who} refused the credentials: ${f.detail}. For SSH check the agent, ~/.ssh/config or the remote's keyfile setting; for S3 the AWS environment variables, ~/.aws or the remote's profile setting. xpipe never stores credentials.`;
    case 'missing-bucket':
      return `error: the bucket of ${who} does not exist: ${f.detail}. Create it, or fix the URL with "xpipe remote modify ${f.remote} url URL".`;
    case 'io':
      return `error: ${who} failed: ${f.detail}. Run the command again; objects transferred completely are kept and nothing partial was stored under a final name.`;
    default:
      return assertNever(f.problem, 'remote problem');
  }
}

function objectUrl(url: string, id: string): string {
  return `${url.replace(/\/+$/, '')}/${id.slice(0, 2)}/${id.slice(2)}`;
}

function bytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${Math.round(n)} B`;
}

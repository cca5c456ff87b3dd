/**
 * Text for `xpipe cache verify` (progress line and report) and `xpipe checkout`'s corrupt outs.
 */
import type { VerifyProgress, VerifyReport } from '../../engine/index.js';
import { formatMs } from './progress-line.js';

const MB = 1e6;

/** `verifying cache  412/1000 objects  1.2/3.4 GB  850 MB/s`. */
export function formatVerifyProgress(p: VerifyProgress): string {
  const rate = p.elapsedMs > 0 ? p.doneBytes / MB / (p.elapsedMs / 1000) : 0;
  return `verifying cache  ${p.doneObjects}/${p.totalObjects} objects  ${size(p.doneBytes)}/${size(p.totalBytes)}  ${rate.toFixed(0)} MB/s`;
}

/** The report lines: each bad object, then a summary. */
export function formatVerifyReport(r: VerifyReport): string {
  const lines: string[] = [];
  for (const c of r.corrupt) lines.push(`corrupt: ${c.path} (content hashes to ${c.actual}); moved to ${c.movedTo}`);
  for (const u of r.unreadable) lines.push(`unreadable: ${u.path}: ${u.error}`);
  const rate = r.durationMs > 0 ? `, ${(r.bytes / MB / (r.durationMs / 1000)).toFixed(0)} MB/s` : '';
  lines.push(
    `verified ${r.objects} objects (${size(r.bytes)}) in ${formatMs(r.durationMs)}${rate}: ${r.corrupt.length} corrupt, ${r.unreadable.length} unreadable`,
  );
  if (r.corrupt.length + r.unreadable.length > 0)
    lines.push(
      'Outs that used these objects will be rebuilt by "xpipe repro" (or restored by "xpipe pull" from a remote).',
    );
  return `${lines.join('\n')}\n`;
}

function size(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}

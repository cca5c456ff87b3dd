/**
 * The job scripts sbatch receives on stdin. They hold only our own paths (quoted for sh): a stage's command
 * never passes through a shell here; it travels as data in the request.
 * Owns: the script text. Does not own: submitting it (./slurm-cli.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobRequest } from './files.js';

/** bin/xpipe.js of this installation (same depth from src/ and dist/). */
const XPIPE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/xpipe.js');

/**
 * Without a shared filesystem the request travels in the script, as a here-document on the worker's
 * stdin: JSON.stringify emits one line, so the terminator line can never occur inside it, and the quoted
 * terminator turns off all expansion.
 */
export function isolatedJobScript(stage: string, runId: string, request: JobRequest): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    `# xpipe stage ${stage.replace(/\n/g, ' ')}, run ${runId} (no shared filesystem)`,
    `exec ${q(process.execPath)} ${q(XPIPE_BIN)} exec-stage - <<'XPIPE_REQUEST_END'`,
    JSON.stringify(request),
    'XPIPE_REQUEST_END',
    '',
  ].join('\n');
}

/** The job script: our own paths only (quoted for sh); the stage's command travels in the request file. */
export function jobScript(stage: string, runId: string, requestFile: string): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    `# xpipe stage ${stage.replace(/\n/g, ' ')}, run ${runId}`,
    `exec ${q(process.execPath)} ${q(XPIPE_BIN)} exec-stage ${q(requestFile)}`,
    '',
  ].join('\n');
}

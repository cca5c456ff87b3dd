/**
 * Atomic file writes: write a temp file in the same directory, fsync-free rename over the target,
 * so readers see the old or the new content, never half of it. Owns: that one primitive.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';

/** Writes `data` to `file` atomically (temp + rename), creating the parent directory. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes a stream to `file` atomically (temp file beside it + rename); on any error the temp file is
 * removed and nothing appears under `file`. Used by the remote stores' `getFile`.
 */
export async function writeStreamAtomic(file: string, source: NodeJS.ReadableStream): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await pipeline(source, fs.createWriteStream(tmp, { flags: 'wx' }));
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Atomic writes, the one home for them in the repository (engine, ML library and stages): a file or a
 * whole output folder appears complete or not at all. A temp file or folder is built beside the target (same
 * filesystem) and renamed over it, so readers see the old or the new content, never half of it; on any error
 * the temp is removed.
 *
 * Owns: the temp + rename protocol (sync and async file writes, streams, folders). Does not own: what goes in.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';

/** `<target>.<pid>.<random>.tmp`: unique per process and call, and recognisable as leftover by its suffix. */
function tempBeside(target: string): string {
  return `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
}

/** Writes `data` to `file` atomically, creating the parent directory (synchronous, for the engine's lock). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempBeside(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes `data` to `file` atomically, creating the parent directory. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempBeside(file);
  try {
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** Writes a stream to `file` atomically (the remote stores' downloads); the parent directory must exist. */
export async function writeStreamAtomic(file: string, source: NodeJS.ReadableStream): Promise<void> {
  const tmp = tempBeside(file);
  try {
    await pipeline(source, fs.createWriteStream(tmp, { flags: 'wx' }));
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}

/** An empty temp folder next to `dir` in which a stage builds a whole output folder. */
export async function makeStagingDir(dir: string): Promise<string> {
  const staging = tempBeside(dir);
  await fs.promises.mkdir(staging, { recursive: true });
  return staging;
}

/** Replaces `dir` with the finished `staging` folder (the old one is moved aside, then removed). */
export async function replaceDir(staging: string, dir: string): Promise<void> {
  const old = `${dir}.old-${process.pid}`;
  await fs.promises.rm(old, { recursive: true, force: true });
  try {
    await fs.promises.rename(dir, old);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await fs.promises.rename(staging, dir);
  await fs.promises.rm(old, { recursive: true, force: true });
}

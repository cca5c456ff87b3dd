/**
 * Atomic output helpers: a file or a whole output folder appears complete or not at all.
 * Owns: `writeFileAtomic` (temp file + rename) and `replaceDir` (build in a sibling temp folder, then swap).
 * Does not own: what goes into the files.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/** A temp folder next to `dir` (same filesystem, so the final rename is atomic). */
export async function makeStagingDir(dir: string): Promise<string> {
  const staging = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  return staging;
}

/** Replaces `dir` with the finished `staging` folder. */
export async function replaceDir(staging: string, dir: string): Promise<void> {
  const old = `${dir}.old-${process.pid}`;
  await rm(old, { recursive: true, force: true });
  try {
    await rename(dir, old);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await rename(staging, dir);
  await rm(old, { recursive: true, force: true });
}

/**
 * Finds image files under a dataset folder and checks that each looks like an image.
 *
 * Owns: the recursive walk (sorted, so results never depend on the filesystem's order), the
 * name → relative-path index with duplicate detection, and the magic-byte check (PNG / JPEG) that
 * catches empty, truncated-to-nothing or non-image files before preprocessing. Does not own: labels.
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';

export const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** Relative POSIX paths of all image files under `root`, sorted; skips hidden folders. */
export async function listImages(root: string, maxDepth = 4): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string, depth: number): Promise<void> {
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory() && depth < maxDepth) await walk(child, depth + 1);
      else if (e.isFile() && IMAGE_EXT.test(e.name)) out.push(child);
    }
  }
  await walk('', 0);
  return out;
}

/** Maps base name → relative path; names found twice are returned as duplicates. */
export function indexByName(paths: readonly string[]): {
  byName: Map<string, string>;
  duplicates: [string, string, string][];
} {
  const byName = new Map<string, string>();
  const duplicates: [string, string, string][] = [];
  for (const p of paths) {
    const name = path.posix.basename(p);
    const prev = byName.get(name);
    if (prev !== undefined) duplicates.push([name, prev, p]);
    else byName.set(name, p);
  }
  return { byName, duplicates };
}

/** Null when the file starts like a PNG or JPEG, else what is wrong with it. */
export async function checkImageHeader(file: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    return `cannot open the file (${(e as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await handle.read(buf, 0, 8, 0);
    if (bytesRead === 0) return 'the file is empty';
    const png = buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
    const jpeg = buf[0] === 0xff && buf[1] === 0xd8;
    return png || jpeg ? null : 'not a PNG or JPEG file (unrecognised header bytes)';
  } finally {
    await handle.close();
  }
}

/** `checkImageHeader` for many files (empty names are skipped), a bounded number at a time, in input order. */
export async function checkImageHeaders(files: readonly string[], concurrency = 32): Promise<(string | null)[]> {
  const out = new Array<string | null>(files.length).fill(null);
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < files.length; i = next++) out[i] = files[i] ? await checkImageHeader(files[i]) : null;
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
  return out;
}

/** Joins the dataset root (relative to the project) and a path inside it, POSIX style. */
export function projectPath(root: string, rel: string): string {
  return path.posix.normalize(`${root.split(path.sep).join('/')}/${rel}`);
}

/**
 * The image files a prediction covers: files as given, folders expanded one level (sorted).
 * Owns: which extensions count as images and the per-input errors. Does not own: decoding.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImagePrediction } from './types.js';

const IMAGE = /\.(png|jpe?g|webp|tiff?|gif|bmp)$/i;

/** Expands folders (one level, sorted) into image files; missing paths become per-file errors. */
export async function listImages(cwd: string, inputs: readonly string[]): Promise<ImagePrediction[]> {
  const out: ImagePrediction[] = [];
  for (const input of inputs) {
    const full = path.resolve(cwd, input);
    const info = await stat(full).catch(() => undefined);
    if (!info) out.push({ file: input, error: `${input}: no such file or folder` });
    else if (info.isDirectory()) {
      const files = (await readdir(full)).filter((f) => IMAGE.test(f)).sort();
      if (files.length === 0)
        out.push({ file: input, error: `${input}: the folder holds no images (.png, .jpg, .webp, .tif)` });
      out.push(...files.map((f) => ({ file: path.join(input, f) })));
    } else out.push({ file: input });
  }
  return out;
}

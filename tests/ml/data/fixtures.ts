// Test helper: temp folders holding tiny datasets in the real layouts (file names exactly as the real
// datasets name them), built with real PNG/JPEG bytes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { encodePng } from './png-writer.js';

export interface TempDir {
  dir: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function tempDir(prefix = 'xpipe-data-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

/** A small gradient PNG, different per `seed`. */
export function pngBytes(seed = 0, w = 12, h = 10): Buffer {
  return encodePng(
    Array.from({ length: w * h }, (_, i) => (i * 7 + seed * 13) % 256),
    w,
    h,
  );
}

export async function jpegBytes(seed = 0, w = 16, h = 12): Promise<Buffer> {
  const px = Uint8Array.from({ length: w * h }, (_, i) => (i * 5 + seed * 11) % 256);
  return sharp(px, { raw: { width: w, height: h, channels: 1 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export async function put(root: string, rel: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), data);
}

export const NIH_HEADER =
  'Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y]';

/** An NIH entry row; `trailingComma` mimics the original 2017 release. */
export function nihRow(name: string, labels: string, patient: string, trailingComma = false): string {
  return `${name},${labels},0,${patient},50,M,PA,2500,2048,0.143,0.143${trailingComma ? ',' : ''}`;
}

/**
 * Decodes an image file's bytes into 8-bit grayscale with sharp: PNG or JPEG, 8 or 16 bits per sample
 * (16-bit is scaled to 8-bit by libvips), RGB/RGBA converted to luminance (alpha dropped).
 * 8-bit gray PNGs take a faster path (png-fast.ts) with identical pixels. Corrupt or truncated files raise
 * a `InputError` naming the file.
 *
 * Owns: decoding. Does not own: resizing or any enhancement (ops.ts).
 */
import { isMainThread } from 'node:worker_threads';
import { InputError } from '../../params/index.js';
import type { Gray } from './ops.js';
import { decodeGrayPng8 } from './png-fast.js';

// Each worker thread decodes one image at a time; libvips' own thread pool would only oversubscribe.
let limited = false;

/** `displayPath` is the path shown to the user (relative to the project root). */
export async function decodeGray(bytes: Uint8Array, displayPath: string): Promise<Gray> {
  const fast = decodeGrayPng8(bytes);
  if (fast) return fast;
  // loaded on first use: importing sharp costs ~0.2 CPU-s per worker thread, more than hundreds of fast decodes
  const { default: sharp } = await import('sharp');
  if (!limited && !isMainThread) {
    sharp.concurrency(1);
    limited = true;
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'truncated', limitInputPixels: 20000 * 20000 })
      .removeAlpha()
      .grayscale()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 1) throw new Error(`unexpected ${info.channels} channels after grayscale conversion`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    throw new InputError(
      `cannot decode ${displayPath}: ${reason}. The file is corrupt, truncated or not a PNG/JPEG; replace it or remove it from the dataset, then re-run the pipeline.`,
    );
  }
}

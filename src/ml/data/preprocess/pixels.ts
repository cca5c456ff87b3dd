/**
 * One image through the preprocessing chain: decode → resize (area) → equalise → blur.
 * The order follows the issue: resizing first makes equalisation and blur act on what the model sees
 * (a 5×5 blur at 64 px smooths relatively more than at full resolution; see docs/data.md).
 * Owns: the chain for an image and for its lung mask. Does not own: caching or files.
 */
import { decodeGray } from '../image/decode.js';
import { clahe, equalizeHist, gaussianBlur, resizeArea, type Gray } from '../image/ops.js';
import type { PreprocessOptions } from './options.js';

export function enhance(resized: Gray, o: PreprocessOptions): Gray {
  const eq =
    o.equalize === 'global' ? equalizeHist(resized) : o.equalize === 'clahe' ? clahe(resized, o.claheClip) : resized;
  return gaussianBlur(eq, o.blurKsize, o.blurSigma);
}

export async function preprocessImage(
  bytes: Uint8Array,
  displayPath: string,
  o: PreprocessOptions,
): Promise<Uint8Array> {
  const gray = await decodeGray(bytes, displayPath);
  return enhance(resizeArea(gray, o.size, o.size), o).data;
}

/** Masks are resized (area) and re-binarised at 128 to 0/255; no enhancement. */
export async function preprocessMask(bytes: Uint8Array, displayPath: string, size: number): Promise<Uint8Array> {
  const small = resizeArea(await decodeGray(bytes, displayPath), size, size).data;
  for (let i = 0; i < small.length; i++) small[i] = small[i] >= 128 ? 255 : 0;
  return small;
}

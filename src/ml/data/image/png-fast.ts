/**
 * A fast path for the commonest radiograph file: an 8-bit grayscale, non-interlaced PNG (the NIH
 * ChestX-ray14 format). Inflating with node:zlib and unfiltering in JS costs about half of a general
 * libvips decode, which dominates preprocessing time. Anything else (other colour types or depths,
 * interlacing, damaged data) returns null and goes through sharp, which also words the errors.
 *
 * Owns: that one decode. Does not own: error reporting.
 */
import { inflateSync } from 'node:zlib';
import type { Gray } from './ops.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodeGrayPng8(bytes: Uint8Array): Gray | null {
  if (bytes.length < 45 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  // IHDR: bit depth 8, colour type 0 (gray), compression 0, filter 0, interlace 0.
  if (
    bytes[24] !== 8 ||
    bytes[25] !== 0 ||
    bytes[26] !== 0 ||
    bytes[27] !== 0 ||
    bytes[28] !== 0 ||
    width === 0 ||
    height === 0
  )
    return null;
  const idat: Uint8Array[] = [];
  let offset = 8;
  let ended = false;
  while (offset + 8 <= bytes.length) {
    const len = view.getUint32(offset);
    const type = String.fromCharCode(bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]);
    if (offset + 12 + len > bytes.length) return null;
    if (type === 'IDAT') idat.push(bytes.subarray(offset + 8, offset + 8 + len));
    if (type === 'IEND') {
      ended = true;
      break;
    }
    offset += 12 + len;
  }
  if (!ended || idat.length === 0) return null;
  let raw: Buffer;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch {
    return null;
  }
  if (raw.length !== (width + 1) * height) return null;
  return unfilter(raw, width, height);
}

function unfilter(raw: Uint8Array, w: number, h: number): Gray | null {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (w + 1)];
    const src = y * (w + 1) + 1;
    const row = y * w;
    const up = row - w;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + w), row);
        break;
      case 1:
        out[row] = raw[src];
        for (let x = 1; x < w; x++) out[row + x] = (raw[src + x] + out[row + x - 1]) & 255;
        break;
      case 2:
        if (y === 0) out.set(raw.subarray(src, src + w), row);
        else for (let x = 0; x < w; x++) out[row + x] = (raw[src + x] + out[up + x]) & 255;
        break;
      case 3:
        if (y === 0) {
          out[row] = raw[src];
          for (let x = 1; x < w; x++) out[row + x] = (raw[src + x] + (out[row + x - 1] >> 1)) & 255;
        } else {
          out[row] = (raw[src] + (out[up] >> 1)) & 255;
          for (let x = 1; x < w; x++) out[row + x] = (raw[src + x] + ((out[row + x - 1] + out[up + x]) >> 1)) & 255;
        }
        break;
      case 4:
        if (y === 0) {
          // no row above: Paeth picks the left pixel (a), i.e. the Sub filter
          out[row] = raw[src];
          for (let x = 1; x < w; x++) out[row + x] = (raw[src + x] + out[row + x - 1]) & 255;
        } else {
          // x = 0 has no left pixel: Paeth picks the one above (b)
          out[row] = (raw[src] + out[up]) & 255;
          for (let x = 1; x < w; x++) {
            const a = out[row + x - 1];
            const b = out[up + x];
            const c = out[up + x - 1];
            const pa = Math.abs(b - c);
            const pb = Math.abs(a - c);
            const pc = Math.abs(a + b - 2 * c);
            out[row + x] = (raw[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
          }
        }
        break;
      default:
        return null;
    }
  }
  return { data: out, width: w, height: h };
}

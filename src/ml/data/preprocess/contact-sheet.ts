/**
 * The contact sheet: before/after pairs for a person to look at. Each cell shows the source resized to
 * 128 px (no enhancement) next to the preprocessed tensor (nearest-neighbour upscaled to 128 px).
 * Owns: choosing the images (one per label where possible, then any) and drawing the PNG.
 */
import sharp from 'sharp';
import { decodeGray } from '../image/decode.js';
import { resizeArea } from '../image/ops.js';

export interface SheetItem {
  bytes: Uint8Array;
  display: string;
  after: Uint8Array;
  size: number;
}

const CELL = 128;
const GAP = 4;

function upscaleNearest(src: Uint8Array, size: number, to: number): Uint8Array {
  const out = new Uint8Array(to * to);
  for (let y = 0; y < to; y++) {
    const sy = Math.floor((y * size) / to);
    for (let x = 0; x < to; x++) out[y * to + x] = src[sy * size + Math.floor((x * size) / to)];
  }
  return out;
}

/** Indices of up to `n` rows: first one per label (in order), then the rest in order. */
export function pickForSheet(labels: readonly (readonly string[])[], n: number): number[] {
  const chosen: number[] = [];
  const seen = new Set<string>();
  labels.forEach((ls, i) => {
    const key = ls.length === 0 ? '' : ls[0];
    if (!seen.has(key) && chosen.length < n) {
      seen.add(key);
      chosen.push(i);
    }
  });
  for (let i = 0; i < labels.length && chosen.length < n; i++) if (!chosen.includes(i)) chosen.push(i);
  return chosen.sort((a, b) => a - b);
}

/** Returns the PNG: pairs laid out 4 per row. */
export async function contactSheet(items: readonly SheetItem[]): Promise<Buffer> {
  const perRow = Math.min(4, Math.max(1, items.length));
  const rows = Math.max(1, Math.ceil(items.length / perRow));
  const width = perRow * (2 * CELL + 3 * GAP);
  const height = rows * (CELL + 2 * GAP);
  const canvas = new Uint8Array(width * height).fill(24);
  const blit = (pix: Uint8Array, left: number, top: number): void => {
    for (let y = 0; y < CELL; y++) canvas.set(pix.subarray(y * CELL, (y + 1) * CELL), (top + y) * width + left);
  };
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const left = (i % perRow) * (2 * CELL + 3 * GAP) + GAP;
    const top = Math.floor(i / perRow) * (CELL + 2 * GAP) + GAP;
    const before = resizeArea(await decodeGray(it.bytes, it.display), CELL, CELL).data;
    blit(before, left, top);
    blit(upscaleNearest(it.after, it.size, CELL), left + CELL + GAP, top);
  }
  return sharp(canvas, { raw: { width, height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

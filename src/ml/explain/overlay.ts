/**
 * Overlay images for the explain gallery: one PNG per explained image with three panels — the
 * radiograph, Grad-CAM over it, Integrated Gradients over it — and a caption (label, probability,
 * threshold, case type) drawn as SVG text by sharp (librsvg).
 *
 * Owns: colour mapping, blending and the caption. Does not own: the attribution maths.
 */
import sharp from 'sharp';
import { escapeXml } from '../../shared/xml.js';
import { resizeMap } from './lung-share.js';

/** Jet-like colour map for v in [0, 1]. */
export function heatColor(v: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * t - 1)));
  return [Math.round(r * 255), Math.round(g * 255), Math.round(b * 255)];
}

export interface OverlayInput {
  /** Grey image H×W uint8 (the preprocessed radiograph). */
  image: Uint8Array;
  height: number;
  width: number;
  /** Maps H×W in [0, 1] (already normalised); drawn with opacity proportional to the value. */
  maps: { title: string; values: Float32Array }[];
  /** Caption lines above the panels. */
  caption: string[];
  /** Panel edge in pixels (default 192). */
  panel?: number;
}

/** Renders the panels and caption into a PNG buffer. */
export async function renderOverlay(input: OverlayInput): Promise<Buffer> {
  const size = input.panel ?? 192;
  const panels = 1 + input.maps.length;
  const header = 22 * input.caption.length + 8;
  const footer = 22;
  const width = size * panels;
  const height = header + size + footer;
  const rgb = new Uint8Array(width * height * 3).fill(16);
  const grey = resizeMap(Float32Array.from(input.image), input.height, input.width, size, size);
  const heat = input.maps.map((m) => resizeMap(m.values, input.height, input.width, size, size));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const g = grey[y * size + x];
      for (let p = 0; p < panels; p++) {
        let color: [number, number, number] = [g, g, g];
        if (p > 0) {
          const v = Math.min(1, Math.max(0, heat[p - 1][y * size + x]));
          const [r, gg, b] = heatColor(v);
          const alpha = 0.6 * v;
          color = [g * (1 - alpha) + r * alpha, g * (1 - alpha) + gg * alpha, g * (1 - alpha) + b * alpha];
        }
        const o = ((header + y) * width + p * size + x) * 3;
        rgb[o] = color[0];
        rgb[o + 1] = color[1];
        rgb[o + 2] = color[2];
      }
    }
  }
  const text = input.caption
    .map(
      (line, i) =>
        `<text x="8" y="${20 + 22 * i}" font-family="DejaVu Sans, sans-serif" font-size="15" fill="#ffffff">${escapeXml(line)}</text>`,
    )
    .join('');
  const titles = ['radiograph', ...input.maps.map((m) => m.title)]
    .map(
      (t, i) =>
        `<text x="${i * size + 8}" y="${header + size + 16}" font-family="DejaVu Sans, sans-serif" font-size="13" fill="#cccccc">${escapeXml(t)}</text>`,
    )
    .join('');
  const svg = `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${text}${titles}</svg>`;
  return sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/**
 * The scatter's geometry and its static picture: 2-D t-SNE coordinates fitted into a square plot
 * (aspect kept, so distances are not distorted), and an SVG of the points with a legend that sharp
 * rasterises into `scatter.png`.
 *
 * Owns: layout and the SVG/PNG. Does not own: the interactive page (page.ts), the colourings.
 */
import sharp from 'sharp';
import { UNKNOWN_COLOR, type Coloring } from './colorings.js';

/** Edge of the square plot area in SVG units, and the margin around the points. */
export const PLOT_SIZE = 600;
const MARGIN = 16;

/** Pixel positions (x right, y down) of N×2 coordinates inside the plot, rounded to 0.1 for stable output. */
export function layoutPoints(y: ArrayLike<number>, n: number): { x: number; y: number }[] {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, y[i * 2]);
    maxX = Math.max(maxX, y[i * 2]);
    minY = Math.min(minY, y[i * 2 + 1]);
    maxY = Math.max(maxY, y[i * 2 + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const scale = (PLOT_SIZE - 2 * MARGIN) / span;
  const offX = (PLOT_SIZE - (maxX - minX) * scale) / 2;
  const offY = (PLOT_SIZE - (maxY - minY) * scale) / 2;
  const r = (v: number): number => Math.round(v * 10) / 10;
  return Array.from({ length: n }, (_, i) => ({
    x: r(offX + (y[i * 2] - minX) * scale),
    // t-SNE's y axis points up; SVG's points down.
    y: r(PLOT_SIZE - offY - (y[i * 2 + 1] - minY) * scale),
  }));
}

export function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

/** Fill colour of point `i` under `c`. */
export function pointColor(c: Coloring, i: number): string {
  const v = c.values[i];
  return v < 0 ? UNKNOWN_COLOR : c.colors[v];
}

/** `<circle>` elements of the points coloured by `c` (the HTML page adds `data-i` for its script). */
export function circles(points: { x: number; y: number }[], c: Coloring, withIndex: boolean): string {
  return points
    .map(
      (p, i) =>
        `<circle cx="${p.x}" cy="${p.y}" r="4"${withIndex ? ` data-i="${i}"` : ''} fill="${pointColor(c, i)}"/>`,
    )
    .join('');
}

const LEGEND_WIDTH = 220;
const FONT = 'font-family="DejaVu Sans, sans-serif"';

/** The static scatter: title, points coloured by `c`, legend with counts. */
export function scatterSvg(points: { x: number; y: number }[], c: Coloring, title: string): string {
  const width = PLOT_SIZE + LEGEND_WIDTH;
  const height = PLOT_SIZE + 40;
  const counts = c.classes.map((_, k) => c.values.filter((v) => v === k).length);
  const unknown = c.values.filter((v) => v < 0).length;
  const entries = c.classes.map((name, k) => ({ name: `${name} (${counts[k]})`, color: c.colors[k] }));
  if (unknown > 0) entries.push({ name: `unknown (${unknown})`, color: UNKNOWN_COLOR });
  const legend = entries
    .map(
      (e, k) =>
        `<circle cx="${PLOT_SIZE + 16}" cy="${64 + 22 * k}" r="6" fill="${e.color}"/>` +
        `<text x="${PLOT_SIZE + 30}" y="${69 + 22 * k}" ${FONT} font-size="13" fill="#dddddd">${escapeXml(e.name)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="${width}" height="${height}" fill="#111111"/>` +
    `<text x="12" y="26" ${FONT} font-size="16" fill="#ffffff">${escapeXml(title)}</text>` +
    `<g transform="translate(0,40)" fill-opacity="0.85" stroke="#000000" stroke-width="0.5">${circles(points, c, false)}</g>` +
    `<text x="${PLOT_SIZE + 8}" y="${40}" ${FONT} font-size="14" fill="#ffffff">${escapeXml(c.title)}</text>${legend}</svg>`
  );
}

/** `scatterSvg` rasterised to PNG by sharp (librsvg). */
export function scatterPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toBuffer();
}

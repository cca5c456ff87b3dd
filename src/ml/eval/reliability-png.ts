/**
 * The reliability diagram PNG (`reports/calibration.png`): one panel per label, mean predicted probability
 * (x) against the fraction of positives (y) per bin, the diagonal of perfect calibration, the share of
 * images per bin as grey bars along the bottom, and with temperature scaling the rescaled curve in a
 * second colour. Drawn as SVG and rasterised by sharp (librsvg), as the explain overlays are, so src/ml
 * needs no plotting library.
 *
 * Owns: the drawing (pure `reliabilitySvg`, tested for its content) and the PNG. Does not own: the numbers.
 */
import sharp from 'sharp';
import type { ReliabilityBin } from './calibration.js';
import { escapeXml } from '../../shared/xml.js';

export interface ReliabilityPanel {
  label: string;
  raw: ReliabilityBin[];
  /** Rescaled by temperature, when fitted. */
  scaled?: ReliabilityBin[];
  ece: number;
  brier: number | null;
  /** ECE after scaling. */
  eceScaled?: number;
}

const PLOT = 200;
const PAD = { left: 44, top: 34, right: 12, bottom: 36 };
const PANEL_W = PAD.left + PLOT + PAD.right;
const PANEL_H = PAD.top + PLOT + PAD.bottom;
const PER_ROW = 4;
const FONT = 'font-family="DejaVu Sans, sans-serif"';
const RAW_COLOUR = '#1f77b4';
const SCALED_COLOUR = '#ff7f0e';

const f3 = (v: number | null | undefined): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');

function curve(bins: ReliabilityBin[], x0: number, y0: number, colour: string): string {
  if (bins.length === 0) return '';
  const pts = bins.map((b) => [x0 + b.meanPredicted * PLOT, y0 + (1 - b.fractionPositive) * PLOT] as const);
  const line = `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
  const dots = pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${colour}"/>`);
  return line + dots.join('');
}

function panel(p: ReliabilityPanel, left: number, top: number): string {
  const x0 = left + PAD.left;
  const y0 = top + PAD.top;
  const n = p.raw.reduce((s, b) => s + b.count, 0);
  const out: string[] = [];
  out.push(`<rect x="${x0}" y="${y0}" width="${PLOT}" height="${PLOT}" fill="#ffffff" stroke="#888888"/>`);
  // share of images per bin, scaled to at most half the height so the curve stays readable
  for (const b of p.raw) {
    const bh = n === 0 ? 0 : (b.count / n) * PLOT * 0.5;
    out.push(
      `<rect x="${(x0 + b.low * PLOT + 1).toFixed(1)}" y="${(y0 + PLOT - bh).toFixed(1)}" width="${Math.max(1, (b.high - b.low) * PLOT - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#dddddd"/>`,
    );
  }
  out.push(`<line x1="${x0}" y1="${y0 + PLOT}" x2="${x0 + PLOT}" y2="${y0}" stroke="#999999" stroke-dasharray="4,3"/>`);
  out.push(curve(p.raw, x0, y0, RAW_COLOUR));
  if (p.scaled) out.push(curve(p.scaled, x0, y0, SCALED_COLOUR));
  for (const t of [0, 0.5, 1]) {
    out.push(
      `<text x="${x0 + t * PLOT}" y="${y0 + PLOT + 14}" ${FONT} font-size="10" text-anchor="middle">${t}</text>`,
    );
    out.push(`<text x="${x0 - 4}" y="${y0 + (1 - t) * PLOT + 4}" ${FONT} font-size="10" text-anchor="end">${t}</text>`);
  }
  out.push(
    `<text x="${x0 + PLOT / 2}" y="${y0 + PLOT + 28}" ${FONT} font-size="10" text-anchor="middle">mean predicted probability</text>`,
  );
  out.push(
    `<text transform="translate(${left + 12},${y0 + PLOT / 2}) rotate(-90)" ${FONT} font-size="10" text-anchor="middle">fraction positive</text>`,
  );
  const after = p.eceScaled === undefined ? '' : ` → ${f3(p.eceScaled)}`;
  out.push(`<text x="${x0}" y="${top + 14}" ${FONT} font-size="12" font-weight="bold">${escapeXml(p.label)}</text>`);
  out.push(
    `<text x="${x0}" y="${top + 28}" ${FONT} font-size="10">ECE ${f3(p.ece)}${after}  Brier ${f3(p.brier)}  n ${n}</text>`,
  );
  return out.join('');
}

/** The SVG of all panels, with a legend line when a scaled curve is drawn. */
export function reliabilitySvg(panels: readonly ReliabilityPanel[], title: string): string {
  const perRow = Math.min(PER_ROW, Math.max(1, panels.length));
  const rows = Math.max(1, Math.ceil(panels.length / perRow));
  const header = 26;
  const width = perRow * PANEL_W;
  const height = header + rows * PANEL_H;
  const scaled = panels.some((p) => p.scaled);
  const legend = scaled
    ? `<text x="${width - 8}" y="18" ${FONT} font-size="11" text-anchor="end"><tspan fill="${RAW_COLOUR}">● model</tspan>  <tspan fill="${SCALED_COLOUR}">● temperature-scaled</tspan>  <tspan fill="#999999">- - perfect</tspan></text>`
    : '';
  const body = panels.map((p, i) => panel(p, (i % perRow) * PANEL_W, header + Math.floor(i / perRow) * PANEL_H));
  return (
    `<svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">` +
    `<rect width="${width}" height="${height}" fill="#f7f7f7"/>` +
    `<text x="8" y="18" ${FONT} font-size="13" font-weight="bold">${escapeXml(title)}</text>${legend}${body.join('')}</svg>`
  );
}

/** The PNG of {@link reliabilitySvg}. */
export async function reliabilityPng(panels: readonly ReliabilityPanel[], title: string): Promise<Buffer> {
  return sharp(Buffer.from(reliabilitySvg(panels, title)))
    .png()
    .toBuffer();
}

/**
 * Writing report charts as PNG files (`xpipe plots show --png DIR`), for READMEs and galleries.
 *
 * Owns: SVG → PNG with sharp at 2x density, atomic writes (temp file + rename).
 * Does not own: building or compiling the charts (engine/report/plots).
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadReports } from '../../engine/index.js';

/** Renders `vegaSpec` and writes `<dir>/<id>.png`; returns the file's path. */
export async function writeChartPng(dir: string, id: string, vegaSpec: Record<string, unknown>): Promise<string> {
  const { default: sharp } = await import('sharp');
  const svg = await (await loadReports()).renderSvg(vegaSpec);
  const png = await sharp(Buffer.from(svg), { density: 144 }).flatten({ background: '#ffffff' }).png().toBuffer();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${id}.png`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, png);
  await rename(tmp, file);
  return file;
}

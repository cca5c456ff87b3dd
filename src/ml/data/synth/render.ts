/**
 * Renders synthetic chest films with typed arrays. A patient's anatomy is drawn once into an attenuation
 * canvas (`renderBase`: body, lungs, heart, mediastinum, spine, trachea, ribs, clavicles, domes, vessel
 * markings); each follow-up then adds its findings, moves the patient a little (pose), and goes through a
 * "scanner" (exposure curve, heel effect, collimation, noise) in `renderImage`.
 *
 * Owns: pixels. Does not own: what the findings are (findings.ts) or files (generate-task.ts).
 */
import type { Rng } from '../../../shared/rng.js';
import { apexAt, domeAt, heartMargin, lateralAt, sideOf, type Anatomy, type Pose, type Scanner } from './anatomy.js';

/** A patient's canvases at the output size S (S×S, row-major). */
export interface BaseCanvas {
  size: number;
  /** Attenuation without vessel markings (brighter = denser). */
  att: Float32Array;
  /** Soft lung-field membership in [0, 1] (heart shadow excluded). */
  lung: Float32Array;
  /** Vessel markings and parenchymal texture, already limited to the lungs. */
  markings: Float32Array;
}

const LUT = 4096;
const NOISE_LUT = 4096;
let normals: Float32Array | null = null;

/** Standard normal quantiles at (k + 0.5) / NOISE_LUT: a uniform index gives a normal sample. */
function normalTable(): Float32Array {
  if (normals) return normals;
  const table = new Float32Array(NOISE_LUT);
  for (let k = 0; k < NOISE_LUT; k++) table[k] = inverseNormal((k + 0.5) / NOISE_LUT);
  normals = table;
  return table;
}

/** Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number): number => k.reduce((acc, v) => acc * x + v, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Smooth step from 0 (t <= -1) to 1 (t >= 1). */
export const smooth = (t: number): number => {
  if (t <= -1) return 0;
  if (t >= 1) return 1;
  const u = 0.5 * (t + 1);
  return u * u * (3 - 2 * u);
};

function bodyHalfAt(a: Anatomy, y: number): number {
  const shoulders = smooth((y - 0.09) / 0.07);
  return 0.11 + (a.bodyHalf + 0.07 - 0.11) * shoulders - 0.05 * Math.max(0, y - 0.55);
}

function ribs(a: Anatomy, d: number, y: number, lat: number): number {
  if (d < 0.03 || d > lat + 0.05) return 0;
  const fade = smooth((d - 0.05) / 0.03) * smooth((lat + 0.045 - d) / 0.02);
  let v = 0;
  // Posterior ribs: leave the spine almost level, then arc down along the chest wall.
  const bend = Math.max(0, d - 0.14);
  const shape = -0.06 * d + 2.2 * bend * bend;
  const k = (y - a.ribY0 - shape) / a.ribGap;
  for (let i = Math.max(0, Math.floor(k)); i <= Math.min(10, Math.floor(k) + 1); i++) {
    const th = a.ribThick * (1 + 0.05 * i);
    const dy = (y - (a.ribY0 + i * a.ribGap + shape)) / th;
    if (dy > -1 && dy < 1) {
      const d2 = dy * dy;
      const d4 = d2 * d2;
      v += 0.07 * (1 - d4 * d4) * (0.7 + 0.3 * d2) * (1 - 0.05 * i);
    }
  }
  // Anterior ribs: fainter, running down towards the midline, invisible near it (cartilage).
  if (d > 0.12) {
    const over = Math.max(0, d - lat + 0.08);
    const ant = 0.42 * (lat - d) - 0.5 * over * over;
    const j = (y - a.ribY0 - 0.1 - ant) / (a.ribGap * 1.15);
    const jr = Math.round(j);
    if (jr >= 0 && jr <= 5) {
      const dy = ((j - jr) * (a.ribGap * 1.15)) / (a.ribThick * 1.2);
      if (dy > -1 && dy < 1) v += 0.035 * (1 - dy * dy) * smooth((d - 0.14) / 0.04);
    }
  }
  return v * fade;
}

function clavicle(d: number, y: number): number {
  if (d < 0.015 || d > 0.36) return 0;
  const yc = 0.175 - 0.32 * d + 0.2 * d * d;
  const dy = (y - yc) / (0.014 + 0.01 * d);
  return dy > -1 && dy < 1 ? 0.11 * (1 - dy * dy * dy * dy) * smooth((0.36 - d) / 0.04) * smooth((d - 0.03) / 0.03) : 0;
}

function addTexture(rng: Rng, out: Float32Array, size: number, cell: number, amp: number): void {
  const g = Math.ceil(size / cell) + 2;
  const grid = new Float32Array(g * g);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.uniform(-amp, amp);
  for (let py = 0; py < size; py++) {
    const gy = py / cell;
    const iy = Math.floor(gy);
    const fy = gy - iy;
    for (let px = 0; px < size; px++) {
      const gx = px / cell;
      const ix = Math.floor(gx);
      const fx = gx - ix;
      const r0 = iy * g + ix;
      const top = grid[r0] * (1 - fx) + grid[r0 + 1] * fx;
      const bot = grid[r0 + g] * (1 - fx) + grid[r0 + g + 1] * fx;
      out[py * size + px] = out[py * size + px] + top * (1 - fy) + bot * fy;
    }
  }
}

function drawVessels(a: Anatomy, out: Float32Array, size: number): void {
  for (const v of a.vessels) {
    const pad = v.r * 2.5;
    const x0 = Math.max(0, Math.floor((Math.min(v.x0, v.x1) - pad + 0.5) * size));
    const x1 = Math.min(size - 1, Math.ceil((Math.max(v.x0, v.x1) + pad + 0.5) * size));
    const y0 = Math.max(0, Math.floor((Math.min(v.y0, v.y1) - pad) * size));
    const y1 = Math.min(size - 1, Math.ceil((Math.max(v.y0, v.y1) + pad) * size));
    const ex = v.x1 - v.x0;
    const ey = v.y1 - v.y0;
    const len2 = ex * ex + ey * ey || 1e-9;
    for (let py = y0; py <= y1; py++) {
      const y = (py + 0.5) / size;
      for (let px = x0; px <= x1; px++) {
        const x = (px + 0.5) / size - 0.5;
        const t = Math.min(1, Math.max(0, ((x - v.x0) * ex + (y - v.y0) * ey) / len2));
        const qx = x - v.x0 - t * ex;
        const qy = y - v.y0 - t * ey;
        const q = (qx * qx + qy * qy) / (v.r * v.r);
        if (q < 6) {
          const i = py * size + px;
          out[i] = Math.max(out[i], v.a * Math.exp(-q));
        }
      }
    }
  }
}

/** Draws the patient's anatomy (no findings except an enlarged heart, which lives in the anatomy). */
export function renderBase(a: Anatomy, size: number, rng: Rng): BaseCanvas {
  const n = size * size;
  const att = new Float32Array(n);
  const lung = new Float32Array(n);
  const markings = new Float32Array(n);
  drawVessels(a, markings, size);
  addTexture(rng, markings, size, Math.max(2, size / 40), 0.025);
  addTexture(rng, markings, size, Math.max(2, size / 110), 0.018);
  // Per-column geometry (depends on x only): dome, apex, and the side's parameters.
  const domeCol = new Float32Array(size);
  const apexCol = new Float32Array(size);
  const medCol = new Float32Array(size);
  const spineCol = new Float32Array(size);
  const tracheaCol = new Float32Array(size);
  for (let px = 0; px < size; px++) {
    const x = (px + 0.5) / size - 0.5;
    const side = sideOf(a, x);
    domeCol[px] = domeAt(side, Math.abs(x));
    apexCol[px] = apexAt(a, side, Math.abs(x));
    medCol[px] = Math.exp(-((x / 0.11) ** 2));
    spineCol[px] = Math.exp(-((x / 0.032) ** 4));
    tracheaCol[px] = Math.exp(-((x / 0.017) ** 2));
  }
  for (let py = 0; py < size; py++) {
    const y = (py + 0.5) / size;
    const bh = bodyHalfAt(a, y);
    const latR = lateralAt(a, a.right, y);
    const latL = lateralAt(a, a.left, y);
    const spineRow =
      y > 0.03 ? 0.085 * (1 + 0.25 * Math.cos((2 * Math.PI * y) / 0.046)) * (1 - 0.4 * smooth((y - 0.45) / 0.1)) : 0;
    const trachea = y < 0.44 ? 0.12 * smooth((0.41 - y) / 0.03) * smooth((y - 0.02) / 0.03) : 0;
    const medRow = 0.11 * smooth((y - 0.14) / 0.05);
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size - 0.5;
      const d = Math.abs(x);
      const side = x < 0 ? a.right : a.left;
      const lat = x < 0 ? latR : latL;
      const i = py * size + px;
      const xb = x / bh;
      const bt = 1 - xb * xb;
      let v = bt > 0 ? a.softTissue * Math.sqrt(Math.sqrt(bt)) * smooth(bt / 0.06) : 0;
      if (bt <= 0 && y < 0.2) {
        markings[i] = 0;
        continue;
      }
      v += medRow * medCol[px];
      const dome = domeCol[px];
      const below = smooth((y - dome) / 0.01);
      if (d < lat + 0.07) v += (0.07 - (0.05 * Math.max(0, y - 0.8)) / 0.2) * below * smooth((lat + 0.07 - d) / 0.04);
      const hm = heartMargin(a, x, y);
      const margin = Math.min(y - apexCol[px], lat - d, d - side.med - 0.03 * Math.max(0, y - 0.3), dome - y);
      const L = smooth(margin / 0.009) * (1 - smooth(hm / 0.008));
      lung[i] = L;
      const depth = 0.78 + 0.22 * Math.min(1, (d - side.med) / 0.14);
      v -= a.lungDark * L * depth;
      v += (0.05 + 0.05 * Math.min(1, Math.max(0, hm) / 0.05)) * smooth(hm / 0.012) * (1 - 0.5 * below);
      const ak = ((x - 0.055) / 0.045) ** 2 + ((y - (a.heart.cy - a.heart.ry - 0.06)) / 0.04) ** 2;
      if (ak < 1) v += 0.06 * (1 - ak);
      if (spineRow > 0) v += spineRow * spineCol[px];
      if (trachea > 0) v -= trachea * tracheaCol[px];
      v += ribs(a, d, y, lat) + clavicle(d, y);
      if (a.stomachBubble && x > 0) {
        const sb = ((x - 0.2) / 0.06) ** 2 + ((y - a.left.domeY - 0.06) / 0.03) ** 2;
        if (sb < 1) v -= 0.1 * smooth((1 - sb) / 0.3);
      }
      att[i] = v;
      markings[i] = markings[i] * L;
    }
  }
  return { size, att, lung, markings };
}

/**
 * Warps the finished attenuation canvas by the pose, maps it through the scanner, adds noise, and
 * quantises; also warps the lung mask. Returns 8-bit image and 0/255 mask.
 */
export function renderImage(
  att: Float32Array,
  lung: Float32Array,
  size: number,
  pose: Pose,
  sc: Scanner,
  rng: Rng,
): { image: Uint8Array; mask: Uint8Array } {
  const image = new Uint8Array(size * size);
  const mask = new Uint8Array(size * size);
  const cos = Math.cos(pose.rot) / pose.scale;
  const sin = Math.sin(pose.rot) / pose.scale;
  const span = 1 / Math.max(1e-6, sc.hi - sc.lo);
  // Exposure curve and noise through tables: Math.pow and Box-Muller per pixel would dominate the render.
  const curve = new Float32Array(LUT + 1);
  for (let k = 0; k <= LUT; k++) curve[k] = (k / LUT) ** sc.gamma;
  const noise = normalTable();
  for (let py = 0; py < size; py++) {
    const v = (py + 0.5) / size - 0.5 - pose.dy;
    for (let px = 0; px < size; px++) {
      const u = (px + 0.5) / size - 0.5 - pose.dx;
      const sx = (cos * u + sin * v + 0.5) * size - 0.5;
      const sy = (-sin * u + cos * v + 0.5) * size - 0.5;
      const x0 = Math.min(size - 2, Math.max(0, Math.floor(sx)));
      const y0 = Math.min(size - 2, Math.max(0, Math.floor(sy)));
      const fx = Math.min(1, Math.max(0, sx - x0));
      const fy = Math.min(1, Math.max(0, sy - y0));
      const j = y0 * size + x0;
      const w00 = (1 - fx) * (1 - fy),
        w01 = fx * (1 - fy),
        w10 = (1 - fx) * fy,
        w11 = fx * fy;
      const a = att[j] * w00 + att[j + 1] * w01 + att[j + size] * w10 + att[j + size + 1] * w11;
      const l = lung[j] * w00 + lung[j + 1] * w01 + lung[j + size] * w10 + lung[j + size + 1] * w11;
      let t = curve[Math.round(Math.min(1, Math.max(0, (a - sc.lo) * span)) * LUT)];
      t = t * (1 + sc.heel * ((py + 0.5) / size - 0.5)) + sc.noise * noise[(rng.next() * NOISE_LUT) | 0];
      const e = Math.min(px, py, size - 1 - px, size - 1 - py) / size;
      if (e < sc.border) t = 0.9;
      const i = py * size + px;
      image[i] = Math.min(255, Math.max(0, Math.round(t * 255)));
      mask[i] = l >= 0.5 ? 255 : 0;
    }
  }
  return { image, mask };
}

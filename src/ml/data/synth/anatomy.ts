/**
 * The random anatomy of one synthetic patient and the geometry functions shared by the renderer and the
 * findings: lung-field boundaries, diaphragm domes, heart ellipse.
 *
 * Coordinates are normalised: x in [-0.5, 0.5] from the image centre (negative = image left = the
 * patient's right), y in [0, 1] from the top. Owns: sampling a patient's anatomy and vessel tree, and
 * per-follow-up pose and "scanner". Does not own: pixels (render.ts) or findings (findings.ts).
 */
import type { Rng } from '../../../shared/rng.js';

/** One segment of the pulmonary vessel tree, in normalised coordinates. */
export interface Vessel {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Half-thickness. */
  r: number;
  /** Added attenuation at the centre line. */
  a: number;
}

export interface Side {
  /** Domes: apex height and how far the costophrenic angle dips below it. */
  domeY: number;
  domeDepth: number;
  /** Lateral (chest-wall) and medial (mediastinum) half-widths of the lung field. */
  lat: number;
  med: number;
}

export interface Anatomy {
  right: Side;
  left: Side;
  lungTop: number;
  bodyHalf: number;
  /** Heart ellipse centre, radii (already enlarged for cardiomegaly) and tilt of its long axis (radians, down to the image right). */
  heart: { cx: number; cy: number; rx: number; ry: number; tilt: number };
  ribY0: number;
  ribGap: number;
  ribThick: number;
  softTissue: number;
  lungDark: number;
  stomachBubble: boolean;
  vessels: Vessel[];
}

/** Small changes between follow-ups of one patient. */
export interface Pose {
  dx: number;
  dy: number;
  rot: number;
  scale: number;
}

/** Exposure and detector of one acquisition. */
export interface Scanner {
  lo: number;
  hi: number;
  gamma: number;
  noise: number;
  heel: number;
  /** Width of a collimation border (0 = none), as a fraction of the image. */
  border: number;
}

export function sideOf(anatomy: Anatomy, x: number): Side {
  return x < 0 ? anatomy.right : anatomy.left;
}

/** Lower boundary of the lung field (diaphragm dome) at lateral distance d of one side. */
export function domeAt(side: Side, d: number): number {
  const c = 0.5 * (side.med + side.lat);
  const t = (d - c) / (side.lat - c);
  return t > 0 ? side.domeY + side.domeDepth * t * t : side.domeY + 0.45 * side.domeDepth * t * t;
}

/** Lateral edge of the lung field at height y (rounded apex, then nearly vertical). */
export function lateralAt(a: Anatomy, side: Side, y: number): number {
  const t = Math.min(1, Math.max(0, (y - a.lungTop + 0.01) / 0.24));
  return side.med + (side.lat - side.med) * (0.35 + 0.65 * Math.sqrt(t)) - (0.012 * Math.max(0, y - 0.55)) / 0.2;
}

/** Apex curve: the lung starts below this height at lateral distance d. */
export function apexAt(a: Anatomy, side: Side, d: number): number {
  const c = side.med + 0.45 * (side.lat - side.med);
  return a.lungTop + 1.6 * (d - c) * (d - c);
}

/** Signed distance-like margin (>0 inside) of the heart ellipse. */
export function heartMargin(a: Anatomy, x: number, y: number): number {
  const h = a.heart;
  const dx = x - h.cx;
  const dy = y - h.cy;
  const c = Math.cos(h.tilt);
  const s = Math.sin(h.tilt);
  const u = (dx * c + dy * s) / h.rx;
  const v = (dy * c - dx * s) / h.ry;
  return (1 - Math.sqrt(u * u + v * v)) * Math.min(h.rx, h.ry);
}

/** Margin (>0 inside) of the lung field of the side containing x, ignoring the heart. */
export function lungMargin(a: Anatomy, x: number, y: number): number {
  const side = sideOf(a, x);
  const d = Math.abs(x);
  const m1 = y - apexAt(a, side, d);
  const m2 = lateralAt(a, side, y) - d;
  const m3 = d - side.med - 0.03 * Math.max(0, y - 0.3);
  const m4 = domeAt(side, d) - y;
  return Math.min(m1, m2, m3, m4);
}

function sampleSide(rng: Rng, domeY: number): Side {
  return {
    domeY,
    domeDepth: rng.uniform(0.09, 0.12),
    lat: rng.uniform(0.35, 0.39),
    med: rng.uniform(0.045, 0.06),
  };
}

function growVessels(
  rng: Rng,
  out: Vessel[],
  x: number,
  y: number,
  angle: number,
  len: number,
  r: number,
  a: number,
  depth: number,
): void {
  if (depth === 0) return;
  const ang = angle + rng.normal(0, 0.18);
  const x1 = x + Math.cos(ang) * len;
  const y1 = y + Math.sin(ang) * len;
  out.push({ x0: x, y0: y, x1, y1, r, a });
  const spread = rng.uniform(0.35, 0.6);
  growVessels(rng, out, x1, y1, ang - spread, len * 0.78, r * 0.72, a * 0.8, depth - 1);
  growVessels(rng, out, x1, y1, ang + spread, len * 0.78, r * 0.72, a * 0.8, depth - 1);
}

/** Draws a patient's anatomy; `cardiomegaly` enlarges the heart shadow (cardiothoracic ratio > 0.5). */
export function sampleAnatomy(rng: Rng, cardiomegaly: boolean): Anatomy {
  const domeR = rng.uniform(0.64, 0.7);
  const right = sampleSide(rng, domeR);
  const left = sampleSide(rng, domeR + rng.uniform(0.01, 0.035));
  const grow = cardiomegaly ? rng.uniform(1.3, 1.45) : rng.uniform(0.92, 1.06);
  const rx = 0.165 * grow;
  const heart = {
    cx: 0.05 + 0.5 * (rx - 0.165),
    cy: left.domeY - 0.02 + rng.normal(0, 0.006),
    rx,
    ry: 0.105 * (0.5 + 0.5 * grow),
    tilt: rng.uniform(0.35, 0.55),
  };
  const vessels: Vessel[] = [];
  for (const s of [-1, 1]) {
    const hx = s * rng.uniform(0.085, 0.11);
    const hy = rng.uniform(0.4, 0.45);
    for (const base of [-1.1, -0.45, 0.2, 0.75]) {
      const angle = s < 0 ? Math.PI - base : base;
      growVessels(rng, vessels, hx, hy, angle + rng.normal(0, 0.1), rng.uniform(0.05, 0.07), 0.007, 0.09, 5);
    }
  }
  return {
    right,
    left,
    lungTop: rng.uniform(0.12, 0.16),
    bodyHalf: rng.uniform(0.43, 0.49),
    heart,
    ribY0: rng.uniform(0.1, 0.13),
    ribGap: rng.uniform(0.058, 0.066),
    ribThick: rng.uniform(0.017, 0.022),
    softTissue: rng.uniform(0.46, 0.56),
    lungDark: rng.uniform(0.27, 0.33),
    stomachBubble: rng.bool(0.6),
    vessels,
  };
}

export function samplePose(rng: Rng): Pose {
  return {
    dx: rng.normal(0, 0.012),
    dy: rng.normal(0, 0.012),
    rot: rng.normal(0, 0.025),
    scale: rng.uniform(0.96, 1.04),
  };
}

/** Four detector/exposure families ("scanners"), each with its own jitter. */
export function sampleScanner(rng: Rng): Scanner {
  const kind = rng.int(0, 3);
  const base = [
    { lo: 0.02, hi: 0.95, gamma: 1.0, noise: 0.018, heel: 0.05, border: 0 },
    { lo: -0.05, hi: 0.85, gamma: 0.8, noise: 0.028, heel: -0.08, border: 0 },
    { lo: 0.08, hi: 1.05, gamma: 1.25, noise: 0.012, heel: 0.1, border: 0.03 },
    { lo: 0.0, hi: 0.9, gamma: 1.1, noise: 0.022, heel: 0.0, border: 0 },
  ][kind];
  return {
    lo: base.lo + rng.normal(0, 0.03),
    hi: base.hi + rng.normal(0, 0.04),
    gamma: base.gamma * rng.uniform(0.92, 1.08),
    noise: base.noise * rng.uniform(0.8, 1.2),
    heel: base.heel + rng.normal(0, 0.03),
    border: base.border > 0 ? base.border * rng.uniform(0.6, 1.4) : 0,
  };
}

/**
 * The findings of the synthetic dataset: which ones a patient has (with realistic imbalance and
 * co-occurrence), where they sit (always inside the lung fields, where a radiologist would look), which
 * follow-ups show them (chronic findings persist, acute ones come and go), and how they are drawn into
 * the attenuation canvas.
 *
 * Owns: finding names, default prevalences, planning, drawing. Does not own: anatomy or the scanner.
 */
import type { Rng } from '../../../shared/rng.js';
import { apexAt, domeAt, heartMargin, lateralAt, lungMargin, type Anatomy } from './anatomy.js';
import { smooth, type BaseCanvas } from './render.js';

export const FINDINGS = [
  'Cardiomegaly',
  'Consolidation',
  'Effusion',
  'Mass',
  'Nodule',
  'Pneumonia',
  'Pneumothorax',
] as const;
export type FindingName = (typeof FINDINGS)[number];

/** Probability that a patient has the finding (Pneumonia is off by default: it looks like Consolidation). */
export const DEFAULT_PREVALENCE: Readonly<Record<FindingName, number>> = {
  Cardiomegaly: 0.1,
  Consolidation: 0.09,
  Effusion: 0.13,
  Mass: 0.11,
  Nodule: 0.14,
  Pneumonia: 0,
  Pneumothorax: 0.1,
};

interface Blob {
  x: number;
  y: number;
  s: number;
}

/** One finding as drawn in one image. */
export type FindingInstance =
  | { kind: 'Effusion'; side: number; height: number }
  | { kind: 'Pneumothorax'; side: number; gap: number }
  | { kind: 'Nodule' | 'Mass'; x: number; y: number; r: number; amp: number; phase: number }
  | { kind: 'Consolidation' | 'Pneumonia'; blobs: Blob[]; amp: number };

/** Per follow-up: the instances to draw and the label names. */
export interface FollowupPlan {
  findings: FindingInstance[];
  labels: FindingName[];
}

function spotInLung(rng: Rng, a: Anatomy, r: number): { x: number; y: number } {
  for (let tries = 0; tries < 200; tries++) {
    const x = rng.uniform(-0.4, 0.4);
    const y = rng.uniform(a.lungTop, 0.75);
    if (lungMargin(a, x, y) > r + 0.012 && heartMargin(a, x, y) < -r) return { x, y };
  }
  return { x: -0.2, y: 0.4 };
}

function blobs(
  rng: Rng,
  a: Anatomy,
  cx: number,
  cy: number,
  spread: number,
  count: number,
  s: [number, number],
): Blob[] {
  const out: Blob[] = [];
  for (let k = 0; k < count; k++) {
    const x = cx + rng.normal(0, spread);
    const y = cy + rng.normal(0, spread * 0.9);
    if (lungMargin(a, x, y) > 0) out.push({ x, y, s: rng.uniform(s[0], s[1]) });
  }
  return out.length > 0 ? out : [{ x: cx, y: cy, s: s[1] }];
}

/** Present in each follow-up with probability p, and in at least one. */
function episodes(rng: Rng, n: number, p: number): boolean[] {
  const on = Array.from({ length: n }, () => rng.bool(p));
  if (!on.includes(true)) on[rng.int(0, n - 1)] = true;
  return on;
}

/**
 * Plans every follow-up of a patient whose anatomy is `a` (Cardiomegaly is part of the anatomy and
 * passed in as `cardiomegaly`).
 */
export function planFindings(
  rng: Rng,
  a: Anatomy,
  prevalence: Readonly<Record<FindingName, number>>,
  followups: number,
  cardiomegaly: boolean,
): FollowupPlan[] {
  const plans: FollowupPlan[] = Array.from({ length: followups }, () => ({
    findings: [],
    labels: cardiomegaly ? ['Cardiomegaly'] : [],
  }));
  const add = (on: boolean[], make: () => FindingInstance, label: FindingName): void => {
    on.forEach((present, f) => {
      if (!present) return;
      const plan = plans[f];
      plan.findings.push(make());
      if (!plan.labels.includes(label)) plan.labels.push(label);
    });
  };
  if (rng.bool(Math.min(1, prevalence.Effusion * (cardiomegaly ? 2 : 1)))) {
    const sides = rng.bool(0.25) ? [-1, 1] : [rng.pick([-1, 1])];
    const on = episodes(rng, followups, 0.85);
    for (const side of sides) add(on, () => ({ kind: 'Effusion', side, height: rng.uniform(0.08, 0.16) }), 'Effusion');
  }
  if (rng.bool(prevalence.Nodule)) {
    const r = rng.uniform(0.038, 0.05);
    const spot = spotInLung(rng, a, r);
    const amp = rng.uniform(0.32, 0.4);
    add(
      plans.map(() => true),
      () => ({ kind: 'Nodule', ...spot, r, amp, phase: 0 }),
      'Nodule',
    );
  }
  if (rng.bool(prevalence.Mass)) {
    const r = rng.uniform(0.065, 0.095);
    const spot = spotInLung(rng, a, r);
    const amp = rng.uniform(0.3, 0.38);
    const phase = rng.uniform(0, 6.28);
    let grow = 1;
    add(
      plans.map(() => true),
      () => ({ kind: 'Mass', ...spot, r: r * (grow *= 1.03), amp, phase }),
      'Mass',
    );
  }
  if (rng.bool(prevalence.Pneumothorax)) {
    const side = rng.pick([-1, 1]);
    add(
      episodes(rng, followups, 0.7),
      () => ({ kind: 'Pneumothorax', side, gap: rng.uniform(0.09, 0.15) }),
      'Pneumothorax',
    );
  }
  if (rng.bool(prevalence.Consolidation)) {
    const c = spotInLung(rng, a, 0.06);
    add(
      episodes(rng, followups, 0.55),
      () => ({
        kind: 'Consolidation',
        blobs: blobs(rng, a, c.x, c.y, 0.05, rng.int(10, 16), [0.022, 0.038]),
        amp: rng.uniform(0.28, 0.36),
      }),
      'Consolidation',
    );
  }
  if (rng.bool(prevalence.Pneumonia)) {
    add(
      episodes(rng, followups, 0.55),
      () => {
        const bl = [-1, 1].flatMap((s) => blobs(rng, a, s * 0.2, 0.58, 0.06, rng.int(10, 16), [0.01, 0.018]));
        return { kind: 'Pneumonia', blobs: bl, amp: rng.uniform(0.14, 0.2) };
      },
      'Pneumonia',
    );
  }
  for (const p of plans) p.labels.sort();
  return plans;
}

type Painter = (x: number, y: number, i: number) => void;

function eachPixel(size: number, box: [number, number, number, number], paint: Painter): void {
  const [x0, x1, y0, y1] = box;
  const pxa = Math.max(0, Math.floor((x0 + 0.5) * size)),
    pxb = Math.min(size - 1, Math.ceil((x1 + 0.5) * size));
  const pya = Math.max(0, Math.floor(y0 * size)),
    pyb = Math.min(size - 1, Math.ceil(y1 * size));
  for (let py = pya; py <= pyb; py++) {
    for (let px = pxa; px <= pxb; px++) paint((px + 0.5) / size - 0.5, (py + 0.5) / size, py * size + px);
  }
}

/** Draws one finding into `att`, scaling down vessel markings through `markFactor` where it hides them. */
export function drawFinding(
  f: FindingInstance,
  a: Anatomy,
  base: BaseCanvas,
  att: Float32Array,
  markFactor: Float32Array,
): void {
  const { size, lung } = base;
  const box = (side: number): [number, number, number, number] => (side < 0 ? [-0.5, 0, 0, 1] : [0, 0.5, 0, 1]);
  switch (f.kind) {
    case 'Effusion': {
      const s = f.side < 0 ? a.right : a.left;
      eachPixel(size, box(f.side), (x, y, i) => {
        const L = lung[i];
        if (L <= 0) return;
        const t = Math.max(0, (Math.abs(x) - s.med) / (s.lat - s.med));
        const v = smooth((y - (s.domeY - f.height * (0.35 + 0.9 * t * t))) / 0.014) * L;
        att[i] = att[i] + v * (a.lungDark * 0.95);
        markFactor[i] = markFactor[i] * (1 - v);
      });
      return;
    }
    case 'Pneumothorax': {
      const s = f.side < 0 ? a.right : a.left;
      eachPixel(size, box(f.side), (x, y, i) => {
        const L = lung[i];
        if (L <= 0) return;
        const d = Math.abs(x);
        const g = f.gap * (1.25 - 0.6 * Math.min(1, Math.max(0, (y - a.lungTop) / (domeAt(s, d) - a.lungTop))));
        const m = Math.min(lateralAt(a, s, y) - d, (y - apexAt(a, s, d)) * 1.3);
        const inside = smooth((g - m) / 0.004) * L;
        const rim = smooth((m - g) / 0.004) * smooth((g + 0.05 - m) / 0.02);
        att[i] = att[i] - 0.18 * inside + 0.03 * rim * L + 0.13 * Math.exp(-(((m - g) / 0.0035) ** 2)) * L;
        markFactor[i] = markFactor[i] * (1 - inside);
      });
      return;
    }
    case 'Nodule':
    case 'Mass': {
      const R = f.r * 1.2;
      eachPixel(size, [f.x - R, f.x + R, f.y - R, f.y + R], (x, y, i) => {
        const th = Math.atan2(y - f.y, x - f.x);
        const r =
          f.kind === 'Mass'
            ? f.r * (1 + 0.13 * Math.sin(3 * th + f.phase) + 0.08 * Math.sin(5 * th + 2 * f.phase))
            : f.r;
        const q = Math.hypot(x - f.x, y - f.y) / r;
        if (q < 1) att[i] = att[i] + f.amp * Math.sqrt(1 - q * q) * smooth((1 - q) / 0.25);
      });
      return;
    }
    case 'Consolidation':
    case 'Pneumonia': {
      const xs = f.blobs.map((b) => b.x),
        ys = f.blobs.map((b) => b.y);
      const pad = 0.08;
      eachPixel(
        size,
        [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad],
        (x, y, i) => {
          const L = lung[i];
          if (L <= 0) return;
          let sum = 0;
          for (const b of f.blobs) sum += Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
          const v = Math.min(1, sum * 0.9) * L;
          att[i] = att[i] + f.amp * v;
          markFactor[i] = markFactor[i] * (1 - 1.7 * v);
        },
      );
      return;
    }
  }
}

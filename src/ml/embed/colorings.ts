/**
 * The ways the embedding scatter can be coloured: by finding (label combination or class), by each label
 * (positive / negative) and, when the dataset carries them (`SplitIndex.meta`), by view, sex and age band.
 * Each colouring is a small categorical table the HTML page, the PNG and the separation scores share.
 *
 * Owns: the groupings, their legend order and colours. Does not own: drawing.
 */
import type { ImageMeta, Task } from '../data/preprocessed-format.js';

/** One way to colour the points. */
export interface Coloring {
  /** Stable identifier (`findings`, `label:Mass`, `view`, …). */
  key: string;
  /** Menu and legend title. */
  title: string;
  /** Legend entries in display order. */
  classes: string[];
  /** CSS colour per class. */
  colors: string[];
  /** Class index per point, or -1 (unknown: drawn grey, left out of separation scores). */
  values: number[];
}

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#FFFFFF'];
const OTHER = '#8c8c8c';
/** Images with no finding are usually the majority: a muted colour lets the findings stand out. */
const NO_FINDING = '#7a8794';
const NEGATIVE = '#4d6a80';
const POSITIVE = '#ff7f0e';
/** Label combinations beyond this many get one `other` entry (a legend of 40 colours helps nobody). */
const MAX_COMBINATIONS = 7;
export const UNKNOWN_COLOR = '#555555';

/** Age bands as clinical papers report them. */
export function ageBand(age: number): string {
  if (age < 40) return '<40';
  if (age < 60) return '40–59';
  if (age < 80) return '60–79';
  return '80+';
}

function categorical(key: string, title: string, raw: (string | null)[], order?: string[]): Coloring {
  const counts = new Map<string, number>();
  for (const v of raw) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  // Most frequent first, ties by name, so the legend and colours do not depend on image order.
  const classes =
    order ?? [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1));
  let next = 0;
  const colors = classes.map((c) =>
    c === 'other' ? OTHER : c === 'no finding' ? NO_FINDING : PALETTE[next++ % PALETTE.length],
  );
  const values = raw.map((v) => (v === null ? -1 : classes.indexOf(v)));
  return { key, title, classes, colors, values };
}

/** `Mass + Effusion`, `no finding`: the label set of one multi-hot row. */
export function findingName(row: ArrayLike<number>, labels: readonly string[]): string {
  const on = labels.filter((_, l) => row[l] > 0.5);
  return on.length === 0 ? 'no finding' : on.join(' + ');
}

/**
 * Every colouring for N points with multi-hot `targets` (N×L) and optional metadata (already restricted
 * to the same N points, in the same order). The first is the default view.
 */
export function buildColorings(
  task: Task,
  labels: readonly string[],
  targets: Float32Array,
  meta: ImageMeta | undefined,
): Coloring[] {
  const L = labels.length;
  const n = targets.length / Math.max(1, L);
  const rows = Array.from({ length: n }, (_, i) => targets.subarray(i * L, (i + 1) * L));
  const out: Coloring[] = [];
  if (task === 'multilabel') {
    const names = rows.map((r) => findingName(r, labels));
    const counts = new Map<string, number>();
    for (const v of names) counts.set(v, (counts.get(v) ?? 0) + 1);
    const top = [...counts.keys()]
      .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || (a < b ? -1 : 1))
      .slice(0, MAX_COMBINATIONS);
    const kept = names.map((v) => (top.includes(v) ? v : 'other'));
    out.push(categorical('findings', 'findings', kept, kept.includes('other') ? [...top, 'other'] : top));
  } else if (task === 'multiclass') {
    out.push(
      categorical(
        'findings',
        'class',
        rows.map((r) => findingName(r, labels)),
        [...labels],
      ),
    );
  }
  if (task !== 'multiclass') {
    labels.forEach((label, l) => {
      const values = rows.map((r) => (r[l] > 0.5 ? 0 : 1));
      out.push({
        key: `label:${label}`,
        title: label,
        classes: [label, 'negative'],
        colors: [POSITIVE, NEGATIVE],
        values,
      });
    });
  }
  if (meta?.view?.some((v) => v !== null)) out.push(categorical('view', 'view', meta.view));
  if (meta?.sex?.some((v) => v !== null)) out.push(categorical('sex', 'sex', meta.sex, ['F', 'M']));
  if (meta?.age?.some((v) => v !== null)) {
    const bands = meta.age.map((a) => (a === null ? null : ageBand(a)));
    out.push(
      categorical(
        'age',
        'age band',
        bands,
        ['<40', '40–59', '60–79', '80+'].filter((b) => bands.includes(b)),
      ),
    );
  }
  return out;
}

/** The class name of point `i` under `c`, or null when unknown. */
export function classOf(c: Coloring, i: number): string | null {
  const v = c.values[i];
  return v < 0 ? null : c.classes[v];
}

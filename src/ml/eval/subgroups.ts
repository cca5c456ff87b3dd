/**
 * AUC per subgroup of the test split (view, sex, age band) with percentile-bootstrap CIs, and a flag
 * when a subgroup's CI excludes the AUC on the whole split.
 *
 * Subgroups come from the split's metadata (`ImageMeta`): view `PA` vs `AP` (any view written `AP…`, e.g.
 * `AP SUPINE`, counts as AP; other views keep their own name), sex `F` vs `M`, and age bands cut at
 * `ageBands` (default 40, 60: `<40`, `40-<60`, `>=60`). Images whose value is unknown (null) are in no
 * group of that attribute. A label needs at least `minCases` positives and as many negatives in a
 * subgroup for an AUC; with fewer, its AUC is null with the counts as the reason (never a crash, never a
 * CI from a handful of cases). The flag is a screening aid, not a test corrected for multiple comparisons;
 * a zero-width CI (e.g. AUC 1 in every resample) is not flagged, as it carries no estimate of uncertainty.
 *
 * Owns: forming the groups and the numbers. Does not own: the JSON/CSV/markdown layout (subgroup-table.ts).
 */
import type { ImageMeta } from '../data/preprocessed-format.js';
import { deriveSeed } from '../../shared/rng.js';
import { aucRoc, bootstrapInterval, macro, type Maybe } from './metrics.js';
import { column } from './predict.js';

export type Attribute = 'view' | 'sex' | 'age';

export interface SubgroupOptions {
  bootstrap: number;
  seed: number;
  /** Ascending age cut points in years. */
  ageBands: readonly number[];
  /** Positives and negatives a label needs in a subgroup for an AUC. */
  minCases: number;
}

export interface Subgroup {
  attribute: Attribute;
  name: string;
  /** Row indices into the split. */
  indices: number[];
}

type Num = number | null;

/** One label (or the macro average) in one subgroup. */
export interface SubgroupAuc {
  auc: Num;
  auc_ci95: [Num, Num];
  /** The same AUC on the whole test split. */
  overall_auc: Num;
  /** The CI lies wholly above or below overall_auc (null when either is undefined or the CI has zero width). */
  ci_excludes_overall: boolean | null;
  undefined?: { auc: string };
}

export interface SubgroupLabel extends SubgroupAuc {
  label: string;
  positives: number;
  negatives: number;
}

export interface SubgroupReport {
  /** `view=PA`: unique, so metrics diffs key the group by it. */
  id: string;
  attribute: Attribute;
  group: string;
  n: number;
  macro: SubgroupAuc;
  labels: SubgroupLabel[];
}

/** Names of the age bands for cut points, e.g. [40, 60] → `<40`, `40-<60`, `>=60`. */
export function ageBandNames(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['all ages'];
  const names = [`<${cuts[0]}`];
  for (let i = 1; i < cuts.length; i++) names.push(`${cuts[i - 1]}-<${cuts[i]}`);
  names.push(`>=${cuts[cuts.length - 1]}`);
  return names;
}

function viewGroup(view: string): string {
  const v = view.trim().toUpperCase();
  return v.startsWith('AP') ? 'AP' : v;
}

/** The subgroups present in `meta`, in the order view (PA, AP, others), sex (F, M), age bands. */
export function formSubgroups(meta: ImageMeta, cuts: readonly number[]): Subgroup[] {
  const out: Subgroup[] = [];
  const add = (attribute: Attribute, order: readonly string[], keyOf: (i: number) => string | null, n: number) => {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = keyOf(i);
      if (key === null) continue;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(i);
    }
    const rank = (k: string): number => (order.includes(k) ? order.indexOf(k) : order.length);
    const names = [...groups.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    for (const name of names) out.push({ attribute, name, indices: groups.get(name)! });
  };
  if (meta.view) {
    const view = meta.view;
    add('view', ['PA', 'AP'], (i) => (view[i] ? viewGroup(view[i]) : null), view.length);
  }
  if (meta.sex) {
    const sex = meta.sex;
    add('sex', ['F', 'M'], (i) => sex[i] ?? null, sex.length);
  }
  if (meta.age) {
    const age = meta.age;
    const names = ageBandNames(cuts);
    const band = (a: number): string => names[cuts.filter((c) => a >= c).length];
    add('age', names, (i) => (typeof age[i] === 'number' && Number.isFinite(age[i]) ? band(age[i]) : null), age.length);
  }
  return out;
}

const r6 = (v: number | null): Num => (v === null ? null : Number(v.toFixed(6)));

function excludes(ci: [Num, Num], overall: Num): boolean | null {
  const [low, high] = ci;
  // A zero-width CI (every resample separates perfectly) estimates no uncertainty at all: no flag.
  if (low === null || high === null || overall === null || low === high) return null;
  return overall < low || overall > high;
}

function countPositives(truth: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] > 0.5) p++;
  return p;
}

interface Columns {
  labels: readonly string[];
  scores: Float32Array[];
  truth: Float32Array[];
}

function labelInGroup(
  cols: Columns,
  l: number,
  g: Subgroup,
  overall: Maybe,
  o: SubgroupOptions,
  seed: number,
): SubgroupLabel {
  const s = Float64Array.from(g.indices, (i) => cols.scores[l][i]);
  const t = Float64Array.from(g.indices, (i) => cols.truth[l][i]);
  const positives = countPositives(t);
  const negatives = t.length - positives;
  const base = { label: cols.labels[l], positives, negatives, overall_auc: r6(overall.value) };
  if (positives < o.minCases || negatives < o.minCases) {
    const reason = `too few cases for an AUC: ${positives} positives, ${negatives} negatives (at least ${o.minCases} of each needed)`;
    return {
      ...base,
      auc: null,
      auc_ci95: [null, null] as [Num, Num],
      ci_excludes_overall: null,
      undefined: { auc: reason },
    };
  }
  const auc = r6(aucRoc(s, t).value);
  const ci = bootstrapInterval(s, t, aucRoc, { resamples: o.bootstrap, seed });
  const auc_ci95: [Num, Num] = [r6(ci.low), r6(ci.high)];
  return { ...base, auc, auc_ci95, ci_excludes_overall: excludes(auc_ci95, base.overall_auc) };
}

/**
 * Macro AUC of a group over the labels that have enough cases in it (images resampled together); `overall`
 * is the whole split's macro over the same labels.
 */
function macroInGroup(
  cols: Columns,
  usable: number[],
  g: Subgroup,
  overall: Num,
  o: SubgroupOptions,
  seed: number,
): SubgroupAuc {
  if (usable.length === 0) {
    const reason = `no label has at least ${o.minCases} positives and ${o.minCases} negatives in this subgroup`;
    return {
      auc: null,
      auc_ci95: [null, null] as [Num, Num],
      overall_auc: overall,
      ci_excludes_overall: null,
      undefined: { auc: reason },
    };
  }
  const aucOf = (rows: ArrayLike<number>): Maybe =>
    macro(
      usable.map((l) =>
        aucRoc(
          Array.from(rows, (r) => cols.scores[l][g.indices[r]]),
          Array.from(rows, (r) => cols.truth[l][g.indices[r]]),
        ),
      ),
    );
  const rows = Float64Array.from(g.indices, (_, r) => r);
  const auc = r6(aucOf(rows).value);
  const ci = bootstrapInterval(rows, rows, (idx) => aucOf(idx), { resamples: o.bootstrap, seed });
  const auc_ci95: [Num, Num] = [r6(ci.low), r6(ci.high)];
  return { auc, auc_ci95, overall_auc: overall, ci_excludes_overall: excludes(auc_ci95, overall) };
}

/**
 * AUC per label and macro in every subgroup of `meta`. `probs`/`truth` are N×L row-major; the overall AUCs
 * are recomputed here on the whole split (the same Mann–Whitney AUC as the report's).
 */
export function subgroupAucs(
  labels: readonly string[],
  probs: Float32Array,
  truth: Float32Array,
  meta: ImageMeta,
  o: SubgroupOptions,
): SubgroupReport[] {
  const L = labels.length;
  const cols: Columns = {
    labels,
    scores: labels.map((_, l) => column(probs, L, l)),
    truth: labels.map((_, l) => column(truth, L, l)),
  };
  const overall = labels.map((_, l) => aucRoc(cols.scores[l], cols.truth[l]));
  return formSubgroups(meta, o.ageBands).map((g, gi) => {
    const perLabel = labels.map((_, l) => labelInGroup(cols, l, g, overall[l], o, deriveSeed(o.seed, 1, gi, l)));
    const usable = perLabel.flatMap((r, l) => (r.auc === null ? [] : [l]));
    // the whole-split macro over the same labels, so the flag compares like with like
    const overallMacro = r6(macro(usable.map((l) => overall[l])).value);
    return {
      id: `${g.attribute}=${g.name}`,
      attribute: g.attribute,
      group: g.name,
      n: g.indices.length,
      macro: macroInGroup(cols, usable, g, overallMacro, o, deriveSeed(o.seed, 2, gi)),
      labels: perLabel,
    };
  });
}

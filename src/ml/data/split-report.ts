/**
 * The split report (`data/split/report.json`): per split images, patients, label distribution (images and
 * patients per label), metadata distribution; the rows read, filtered out (per rule) and bad; the
 * patient overlap (always 0) and how far each label's split fractions are from the ratios.
 *
 * Owns: computing a `SplitReport` from the split rows. Does not own: the file format (split-files.ts).
 */
import type { FilterCount, MetaColumn } from './records.js';
import { SPLITS, type Ratios, type SplitName } from './split-by-patient.js';
import type { MetaSummary, SplitReport, SplitRow, SplitSummary } from './split-files.js';

export interface ReportInput {
  format: string;
  task: string;
  root: string;
  seed: number;
  ratios: Ratios;
  officialTest: boolean;
  rows: Record<SplitName, SplitRow[]>;
  labels: readonly string[];
  /** Rows of the dataset's table, bad rows found, and those skipped (on_bad_rows: skip). */
  read: number;
  bad: number;
  skipped: number;
  filtered: FilterCount[];
  metaColumns: MetaColumn[];
}

function tally(values: readonly (string | null | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v ?? 'unknown'] = (out[v ?? 'unknown'] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}

function metaSummary(rows: readonly SplitRow[], columns: readonly MetaColumn[]): MetaSummary {
  const m: MetaSummary = {};
  if (columns.includes('view')) m.view = tally(rows.map((r) => r.meta?.view));
  if (columns.includes('sex')) m.sex = tally(rows.map((r) => r.meta?.sex));
  if (columns.includes('age')) {
    const ages = rows.flatMap((r) => (typeof r.meta?.age === 'number' ? [r.meta.age] : [])).sort((a, b) => a - b);
    const mid = ages.length / 2;
    const median = ages.length === 0 ? null : ages.length % 2 ? ages[Math.floor(mid)] : (ages[mid - 1] + ages[mid]) / 2;
    m.age = {
      known: ages.length,
      unknown: rows.length - ages.length,
      min: ages[0] ?? null,
      median,
      max: ages.at(-1) ?? null,
    };
  }
  return m;
}

function summary(
  rows: readonly SplitRow[],
  labels: readonly string[],
  metaColumns: readonly MetaColumn[],
): SplitSummary {
  const counts: Record<string, number> = Object.fromEntries(labels.map((l) => [l, 0]));
  const carriers = new Map<string, Set<string>>(labels.map((l) => [l, new Set()]));
  for (const r of rows) {
    for (const l of r.labels) {
      counts[l] = (counts[l] ?? 0) + 1;
      carriers.get(l)?.add(r.patientId);
    }
  }
  const s: SplitSummary = {
    images: rows.length,
    patients: new Set(rows.map((r) => r.patientId)).size,
    labels: counts,
    labelPatients: Object.fromEntries([...carriers].map(([l, set]) => [l, set.size])),
    noFinding: rows.filter((r) => r.labels.length === 0).length,
  };
  if (metaColumns.length > 0) s.meta = metaSummary(rows, metaColumns);
  return s;
}

export function makeReport(i: ReportInput): SplitReport {
  const splits = {} as SplitReport['splits'];
  const owner = new Map<string, Set<SplitName>>();
  for (const s of SPLITS) {
    splits[s] = summary(i.rows[s], i.labels, i.metaColumns);
    for (const r of i.rows[s]) owner.set(r.patientId, (owner.get(r.patientId) ?? new Set()).add(s));
  }
  let maxErr = 0;
  for (const l of i.labels) {
    const total = SPLITS.reduce((a, s) => a + (splits[s].labels[l] ?? 0), 0);
    if (total === 0) continue;
    for (const s of SPLITS)
      if (!(i.officialTest && s === 'test'))
        maxErr = Math.max(maxErr, Math.abs((splits[s].labels[l] ?? 0) / total - i.ratios[s]));
  }
  const used = SPLITS.reduce((a, s) => a + i.rows[s].length, 0);
  return {
    format: i.format,
    task: i.task,
    root: i.root,
    seed: i.seed,
    ratios: i.ratios,
    officialTest: i.officialTest,
    splits,
    rows: { read: i.read, filtered: i.filtered.reduce((a, f) => a + f.rows, 0), bad: i.bad, used },
    filtered: i.filtered,
    metaColumns: i.metaColumns,
    patientOverlap: [...owner.values()].filter((set) => set.size > 1).length,
    skippedBadRows: i.skipped,
    maxLabelRatioError: Math.round(maxErr * 1000) / 1000,
  };
}

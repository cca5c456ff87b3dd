/**
 * The `split` step end to end: read the dataset (by `data.format`), settle bad rows, map labels for
 * `data.task`, assign patients to train/val/test, verify zero patient overlap, and write `data/split/`
 * atomically (built in a temp folder, then swapped in).
 *
 * Owns: `data`/`split` params validation and the report. Does not own: layouts (readers/), the
 * assignment algorithm (split-by-patient.ts) or file formats (split-files.ts).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { asSection, InputError, Reader, TASKS } from '../params/index.js';
import { makeStagingDir, replaceDir } from '../../shared/atomic.js';
import { buildLabelSpace, vectorOf } from './label-space.js';
import { parseCsvMapping, type CsvMapping } from './mapping/mapping.js';
import type { Task } from './preprocessed-format.js';
import { FORMATS, readDataset, type DataFormat } from './readers/index.js';
import { settleBadRows, type ImageRecord, type OnBadRows } from './records.js';
import { assignPatients, SPLITS, type PatientUnit, type Ratios, type SplitName } from './split-by-patient.js';
import { splitCsvText, type SplitReport, type SplitRow } from './split-files.js';
import { makeReport } from './split-report.js';

export interface SplitParams {
  root: string;
  format: DataFormat | 'auto';
  task: Task;
  seed: number;
  ratios: Ratios;
  officialTest: boolean;
  onBadRows: OnBadRows;
  /** The `data.csv` mapping (used by `format: csv`, and by `auto` to find the CSV). */
  csv: CsvMapping;
}

export function parseSplitParams(dataRaw: unknown, splitRaw: unknown): SplitParams {
  const d = new Reader(asSection(dataRaw, 'data'), 'data');
  const s = new Reader(asSection(splitRaw, 'split'), 'split');
  const ratios = {} as Ratios;
  for (const name of SPLITS) ratios[name] = s.probability(name, name === 'train' ? 0.7 : 0.15);
  const total = ratios.train + ratios.val + ratios.test;
  if (Math.abs(total - 1) > 1e-6 || ratios.train === 0) {
    throw new InputError(
      `expected split.train + split.val + split.test = 1 with split.train > 0, got ${ratios.train} + ${ratios.val} + ${ratios.test} = ${total}`,
    );
  }
  const format = d.oneOf('format', FORMATS, 'auto');
  const csvRaw = d.raw('csv');
  if (csvRaw !== undefined && csvRaw !== null && (format === 'nih' || format === 'kermany')) {
    throw new InputError(
      `data.csv describes a CSV for data.format: csv, but data.format is ${format}, whose layout is fixed. Set data.format: csv to use the mapping, or remove data.csv.`,
    );
  }
  return {
    root: d.string('root', 'data/raw'),
    format,
    task: d.oneOf<Task>('task', TASKS, 'multilabel'),
    seed: s.nonNegativeInt('seed', 42),
    ratios,
    officialTest: s.bool('official_test', false),
    onBadRows: s.oneOf('on_bad_rows', ['error', 'skip'] as const, 'error'),
    csv: parseCsvMapping(csvRaw),
  };
}

function byPatient(records: readonly ImageRecord[]): Map<string, ImageRecord[]> {
  const map = new Map<string, ImageRecord[]>();
  for (const r of records) {
    const list = map.get(r.patientId);
    if (list) list.push(r);
    else map.set(r.patientId, [r]);
  }
  return map;
}

export interface SplitOutcome {
  report: SplitReport;
  warnings: string[];
}

export async function runSplit(projectRoot: string, outDir: string, p: SplitParams): Promise<SplitOutcome> {
  const warnings: string[] = [];
  const read = await readDataset({ projectRoot, root: p.root, format: p.format, official: p.officialTest, csv: p.csv });
  if (p.officialTest && read.format === 'csv')
    throw new InputError(
      'split.official_test is true but a csv-format dataset has no official test list; set split.official_test: false.',
    );
  let mapping;
  try {
    mapping = buildLabelSpace(read.records, p.task, read.format);
  } catch (e) {
    // "no findings" after bad rows took every labelled image: the bad rows are the news
    if (e instanceof InputError && read.bad.length > 0) settleBadRows(read.bad, 'error', `dataset ${p.root}`);
    throw e;
  }
  const badPaths = new Set(mapping.bad.map((b) => b.file));
  const bad = [...read.bad, ...mapping.bad];
  const warning = settleBadRows(bad, p.onBadRows, `dataset ${p.root}`);
  if (warning) warnings.push(warning);
  const records = read.records.filter((r) => !badPaths.has(r.path));
  if (records.length === 0) {
    const filtered = (read.filtered ?? []).reduce((a, f) => a + f.rows, 0);
    const why =
      filtered > 0 ? ` (the data.csv.filter rules left out ${filtered} of ${read.rows ?? filtered} rows)` : '';
    throw new InputError(
      `no usable images in ${p.root}${why}; check data.root, data.format and data.csv in params.yaml.`,
    );
  }
  const patients = byPatient(records);
  let crossing = 0;
  const units: PatientUnit[] = [...patients].map(([id, imgs]) => {
    const counts = new Array<number>(mapping.space.labels.length).fill(0);
    for (const r of imgs) vectorOf(mapping.space, mapping.namesOf(r)).forEach((v, i) => (counts[i] = counts[i] + v));
    const unit: PatientUnit = { id, images: imgs.length, labelCounts: counts };
    if (p.officialTest && imgs.some((r) => r.official === 'test')) {
      unit.pinned = 'test';
      if (imgs.some((r) => r.official !== 'test')) crossing++;
    }
    return unit;
  });
  if (crossing > 0)
    warnings.push(
      `${crossing} patients have images in both the official training and test sets; all their images go to test so that no patient is in two splits`,
    );
  const assignment = assignPatients(units, p.ratios, p.seed);
  const rows: Record<SplitName, SplitRow[]> = { train: [], val: [], test: [] };
  const sorted = [...records].sort((a, b) =>
    a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  for (const r of sorted)
    rows[assignment.get(r.patientId) as SplitName].push({
      id: r.id,
      path: r.path,
      patientId: r.patientId,
      labels: mapping.namesOf(r),
      mask: r.mask,
      ...(r.meta ? { meta: r.meta } : {}),
    });
  const metaColumns = read.metaColumns ?? [];
  const report = makeReport({
    format: read.format,
    task: p.task,
    root: p.root,
    seed: p.seed,
    ratios: p.ratios,
    officialTest: p.officialTest,
    rows,
    labels: mapping.space.labels,
    read: read.rows ?? records.length + bad.length,
    bad: bad.length,
    skipped: p.onBadRows === 'skip' ? bad.length : 0,
    filtered: read.filtered ?? [],
    metaColumns,
  });
  if (report.patientOverlap !== 0) throw new Error(`internal error: ${report.patientOverlap} patients in two splits`);
  const staging = await makeStagingDir(outDir);
  for (const s of SPLITS) await writeFile(path.join(staging, `${s}.csv`), splitCsvText(rows[s], metaColumns));
  await writeFile(path.join(staging, 'labels.json'), JSON.stringify(mapping.space, null, 2) + '\n');
  await writeFile(path.join(staging, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  await replaceDir(staging, outDir);
  return { report, warnings };
}

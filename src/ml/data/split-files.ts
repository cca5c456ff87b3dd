/**
 * The files of `data/split/`: `{train,val,test}.csv` (columns `id,path,patient_id,labels,mask`, then
 * `view,sex,age` for the metadata the dataset maps; labels in the task's label space joined by `|`,
 * empty for none; empty metadata = unknown), `labels.json` (a LabelSpace) and `report.json`.
 * Owns: their format, writing and reading. Does not own: how the split was made.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv, toCsv } from './csv.js';
import { InputError } from '../params/index.js';
import type { LabelSpace } from './preprocessed-format.js';
import { META_COLUMNS, type FilterCount, type MetaColumn, type RecordMeta } from './records.js';
import type { SplitName } from './split-by-patient.js';

export const SPLIT_COLUMNS = ['id', 'path', 'patient_id', 'labels', 'mask'] as const;

/** One row of a split CSV. */
export interface SplitRow {
  id: string;
  path: string;
  patientId: string;
  labels: string[];
  mask: string | null;
  /** The mapped metadata columns (see RecordMeta); absent when the dataset maps none. */
  meta?: RecordMeta;
}

/** Per split: how many images have each value of a metadata column. */
export interface MetaSummary {
  /** View → images (`unknown` for an empty cell). */
  view?: Record<string, number>;
  sex?: Record<string, number>;
  /** Age in years of the images with a known age, and how many are unknown. */
  age?: { known: number; unknown: number; min: number | null; median: number | null; max: number | null };
}

/** One split in the report. */
export interface SplitSummary {
  images: number;
  patients: number;
  /** Images per label. */
  labels: Record<string, number>;
  /** Patients with at least one image of each label. */
  labelPatients: Record<string, number>;
  noFinding: number;
  /** Present when the dataset maps view/sex/age. */
  meta?: MetaSummary;
}

export interface SplitReport {
  format: string;
  task: string;
  root: string;
  seed: number;
  ratios: Record<SplitName, number>;
  officialTest: boolean;
  splits: Record<SplitName, SplitSummary>;
  /** Rows of the dataset's table (CSV rows, or files found), what the filter rules left out, what was used. */
  rows: { read: number; filtered: number; bad: number; used: number };
  /** Rows left out per `data.csv.filter` rule (first failing rule), with the values they held. */
  filtered: FilterCount[];
  /** Metadata columns carried into the split CSVs. */
  metaColumns: MetaColumn[];
  /** Patients found in more than one split: always 0 (checked before writing). */
  patientOverlap: number;
  /** Rows left out with `on_bad_rows: skip`. */
  skippedBadRows: number;
  /** Largest |fraction of a label's images in a split − that split's ratio|, over labels and splits. */
  maxLabelRatioError: number;
}

function metaCell(meta: RecordMeta | undefined, c: MetaColumn): string | number {
  return meta?.[c] ?? '';
}

/** `metaColumns`: the mapped metadata columns, written after the fixed ones in `META_COLUMNS` order. */
export function splitCsvText(rows: readonly SplitRow[], metaColumns: readonly MetaColumn[] = []): string {
  const meta = META_COLUMNS.filter((c) => metaColumns.includes(c));
  return toCsv([
    [...SPLIT_COLUMNS, ...meta],
    ...rows.map((r) => [
      r.id,
      r.path,
      r.patientId,
      r.labels.join('|'),
      r.mask ?? '',
      ...meta.map((c) => metaCell(r.meta, c)),
    ]),
  ]);
}

function parseMeta(header: readonly string[], fields: readonly string[]): RecordMeta | undefined {
  if (header.length === 0) return undefined;
  const meta: RecordMeta = {};
  for (const [i, c] of header.entries()) {
    const v = fields[i] ?? '';
    if (c === 'view') meta.view = v === '' ? null : v;
    else if (c === 'sex') meta.sex = v === 'F' || v === 'M' ? v : null;
    else if (c === 'age') meta.age = v === '' || !Number.isFinite(Number(v)) ? null : Number(v);
  }
  return meta;
}

/** A split CSV's rows and the metadata columns it carries. */
export async function readSplitTable(
  file: string,
  displayName: string,
): Promise<{ rows: SplitRow[]; metaColumns: MetaColumn[] }> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`cannot read ${displayName}: run the split stage first (xpipe repro split).`);
  });
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const extra = header.slice(SPLIT_COLUMNS.length);
  if (
    SPLIT_COLUMNS.some((c, i) => header[i] !== c) ||
    extra.some((c) => !(META_COLUMNS as readonly string[]).includes(c))
  ) {
    throw new InputError(
      `${displayName} has the wrong columns (found ${header.join(',')}, expected ${SPLIT_COLUMNS.join(',')}[,${META_COLUMNS.join(',')}]); re-run the split stage.`,
    );
  }
  const metaColumns = extra as MetaColumn[];
  return {
    metaColumns,
    rows: rows.slice(1).map((r) => {
      const row: SplitRow = {
        id: r[0] ?? '',
        path: r[1] ?? '',
        patientId: r[2] ?? '',
        labels: (r[3] ?? '') === '' ? [] : r[3].split('|'),
        mask: (r[4] ?? '') === '' ? null : r[4],
      };
      const meta = parseMeta(metaColumns, r.slice(SPLIT_COLUMNS.length));
      if (meta) row.meta = meta;
      return row;
    }),
  };
}

export async function readSplitCsv(file: string, displayName: string): Promise<SplitRow[]> {
  return (await readSplitTable(file, displayName)).rows;
}

export async function readLabelSpace(dir: string, displayDir: string): Promise<LabelSpace> {
  const file = path.join(dir, 'labels.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`cannot read ${displayDir}/labels.json: run the split stage first (xpipe repro split).`);
  });
  return JSON.parse(text) as LabelSpace;
}

/**
 * The files of `data/split/`: `{train,val,test}.csv` (columns `id,path,patient_id,labels,mask`; labels in
 * the task's label space joined by `|`, empty for none), `labels.json` (a LabelSpace) and `report.json`.
 * Owns: their format, writing and reading. Does not own: how the split was made.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv, toCsv } from './csv.js';
import { InputError } from '../params/index.js';
import type { LabelSpace } from './preprocessed-format.js';
import type { SplitName } from './split-by-patient.js';

export const SPLIT_COLUMNS = ['id', 'path', 'patient_id', 'labels', 'mask'] as const;

/** One row of a split CSV. */
export interface SplitRow {
  id: string;
  path: string;
  patientId: string;
  labels: string[];
  mask: string | null;
}

export interface SplitReport {
  format: string;
  task: string;
  root: string;
  seed: number;
  ratios: Record<SplitName, number>;
  officialTest: boolean;
  splits: Record<SplitName, { images: number; patients: number; labels: Record<string, number>; noFinding: number }>;
  /** Patients found in more than one split: always 0 (checked before writing). */
  patientOverlap: number;
  /** Rows left out with `on_bad_rows: skip`. */
  skippedBadRows: number;
  /** Largest |fraction of a label's images in a split − that split's ratio|, over labels and splits. */
  maxLabelRatioError: number;
}

export function splitCsvText(rows: readonly SplitRow[]): string {
  return toCsv([[...SPLIT_COLUMNS], ...rows.map((r) => [r.id, r.path, r.patientId, r.labels.join('|'), r.mask ?? ''])]);
}

export async function readSplitCsv(file: string, displayName: string): Promise<SplitRow[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`cannot read ${displayName}: run the split stage first (xpipe repro split).`);
  });
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  if (SPLIT_COLUMNS.some((c, i) => header[i] !== c)) {
    throw new InputError(`${displayName} has the wrong columns (found ${header.join(',')}, expected ${SPLIT_COLUMNS.join(',')}); re-run the split stage.`);
  }
  return rows.slice(1).map((r) => ({
    id: r[0] ?? '',
    path: r[1] ?? '',
    patientId: r[2] ?? '',
    labels: (r[3] ?? '') === '' ? [] : (r[3]).split('|'),
    mask: (r[4] ?? '') === '' ? null : (r[4]),
  }));
}

export async function readLabelSpace(dir: string, displayDir: string): Promise<LabelSpace> {
  const file = path.join(dir, 'labels.json');
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`cannot read ${displayDir}/labels.json: run the split stage first (xpipe repro split).`);
  });
  return JSON.parse(text) as LabelSpace;
}

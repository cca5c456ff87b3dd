/**
 * Picks the reader for `data.format` (`nih | kermany | csv | auto`) and runs it.
 * Owns: format detection for `auto`. Does not own: any one layout (see the sibling readers).
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../params/index.js';
import { LABELS_CSV_MAPPING, type CsvMapping } from '../mapping/mapping.js';
import type { ReadResult } from '../records.js';
import { readGenericCsv } from './generic-csv.js';
import { looksLikeKermany, readKermany } from './kermany.js';
import { NIH_CSV, readNih } from './nih.js';

export type DataFormat = 'nih' | 'kermany' | 'csv';
export const FORMATS = ['nih', 'kermany', 'csv', 'auto'] as const;

export interface ReadOptions {
  /** Absolute project root; `root` is relative to it. */
  projectRoot: string;
  root: string;
  format: DataFormat | 'auto';
  /** Use the dataset's official test list (NIH lists, Kermany test folder). */
  official: boolean;
  /** The `data.csv` mapping for `csv` (default: the plain labels.csv layout). */
  csv?: CsvMapping;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export async function detectFormat(
  projectRoot: string,
  root: string,
  csv: CsvMapping = LABELS_CSV_MAPPING,
): Promise<DataFormat> {
  const abs = path.resolve(projectRoot, root);
  if (!(await exists(abs)))
    throw new InputError(
      `data.root folder ${root} does not exist (relative to the project root). Point data.root at the dataset folder in params.yaml.`,
    );
  if (await exists(path.join(abs, NIH_CSV))) return 'nih';
  if (await looksLikeKermany(abs)) return 'kermany';
  if (await exists(path.join(abs, csv.file))) return 'csv';
  throw new InputError(
    `cannot tell the dataset layout of ${root}: found neither ${NIH_CSV} (nih), {train,val,test}/{NORMAL,PNEUMONIA}/ (kermany) nor ${csv.file} (csv). Set data.format and check data.root in params.yaml.`,
  );
}

export async function readDataset(opts: ReadOptions): Promise<ReadResult & { format: DataFormat }> {
  const format = opts.format === 'auto' ? await detectFormat(opts.projectRoot, opts.root, opts.csv) : opts.format;
  if (!(await exists(path.resolve(opts.projectRoot, opts.root)))) {
    throw new InputError(
      `data.root folder ${opts.root} does not exist (relative to the project root). Point data.root at the dataset folder in params.yaml.`,
    );
  }
  switch (format) {
    case 'nih':
      return { format, ...(await readNih(opts.projectRoot, opts.root, { official: opts.official })) };
    case 'kermany':
      return { format, ...(await readKermany(opts.projectRoot, opts.root)) };
    case 'csv':
      return { format, ...(await readGenericCsv(opts.projectRoot, opts.root, opts.csv)) };
  }
}

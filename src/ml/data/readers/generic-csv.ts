/**
 * Reader for `data.format: csv`: a CSV described by the `data.csv` mapping (mapping.ts), by default the
 * plain `labels.csv` layout (`path,labels,patient_id[,mask]`, paths relative to data.root, labels joined
 * by `|`, empty or `No Finding` = none).
 *
 * Owns: reading that CSV (with line numbers) and locating its images. Does not own: the row rules
 * (map-rows.ts) or the split.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsvRows } from '../csv.js';
import { InputError } from '../../params/index.js';
import { LABELS_CSV_MAPPING, type CsvMapping } from '../mapping/mapping.js';
import { mapRows } from '../mapping/map-rows.js';
import type { ReadResult } from '../records.js';
import { relativeLocator } from './locate.js';
import { projectPath } from './scan.js';

export const GENERIC_CSV = LABELS_CSV_MAPPING.file;

export async function readGenericCsv(
  projectRoot: string,
  rootRel: string,
  mapping: CsvMapping = LABELS_CSV_MAPPING,
): Promise<ReadResult> {
  const builtIn = mapping === LABELS_CSV_MAPPING;
  const csvRel = projectPath(rootRel, mapping.file);
  const text = await readFile(path.resolve(projectRoot, csvRel), 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(
      builtIn
        ? `cannot read ${csvRel}: a csv-format dataset needs ${mapping.file} in data.root (${rootRel}) with the columns path,labels,patient_id, or a data.csv mapping in params.yaml naming your CSV and its columns.`
        : `cannot read ${csvRel} (${e.code ?? 'error'}), the CSV named by data.csv.file (relative to data.root ${rootRel}); check both in params.yaml.`,
    );
  });
  const parsed = parseCsvRows(text);
  if (parsed.unterminatedQuoteLine !== null) {
    throw new InputError(
      `${csvRel}:${parsed.unterminatedQuoteLine}: a quoted field starts on this line and is never closed, so the rest of the file would be one value. Close the quote (a quote inside a quoted field is written "").`,
    );
  }
  const [head, ...rows] = parsed.rows;
  if (!head)
    throw new InputError(`${csvRel} is empty: expected a header line naming the columns, then one row per image.`);
  // an absolute image folder is taken as is (a dataset kept outside the project)
  const imagesRel = path.isAbsolute(mapping.images)
    ? mapping.images
    : projectPath(rootRel, path.posix.join(path.posix.dirname(mapping.file), mapping.images));
  return mapRows({ file: csvRel, header: head.fields, rows }, mapping, {
    projectRoot,
    locator: relativeLocator(projectRoot, imagesRel),
    citeRow: true,
    naming: builtIn
      ? {
          fieldOf: null,
          hint: 'Expected path,labels,patient_id (and optionally mask), or describe your columns under data.csv in params.yaml.',
        }
      : {
          fieldOf: (key) => `data.csv.${key}`,
          hint: 'Set those keys under data.csv in params.yaml to columns of the header (names match exactly, including case and spaces).',
        },
  });
}

/**
 * Reader for a generic CSV dataset: a file (default `labels.csv` in data.root) with the columns
 * `path,labels,patient_id` and optionally `mask`; paths relative to data.root, labels joined by `|`
 * (empty or `No Finding` = none).
 *
 * Owns: that format. Does not own: the split.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '../csv.js';
import { InputError } from '../../params/index.js';
import type { BadRow, ImageRecord, ReadResult } from '../records.js';
import { checkImageHeader, projectPath } from './scan.js';

export const GENERIC_CSV = 'labels.csv';

export async function readGenericCsv(projectRoot: string, rootRel: string, csvName = GENERIC_CSV): Promise<ReadResult> {
  const abs = path.resolve(projectRoot, rootRel);
  const csvRel = projectPath(rootRel, csvName);
  const text = await readFile(path.join(abs, csvName), 'utf8').catch(() => {
    throw new InputError(`cannot read ${csvRel}: a csv-format dataset needs ${csvName} in data.root (${rootRel}) with the columns path,labels,patient_id.`);
  });
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim());
  const missing = ['path', 'labels', 'patient_id'].filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError(`${csvRel} has the wrong columns: missing ${missing.map((m) => `'${m}'`).join(', ')} (found ${header.map((h) => `'${h}'`).join(', ')}). Expected path,labels,patient_id (and optionally mask).`);
  }
  const [iPath, iLabels, iPatient, iMask] = ['path', 'labels', 'patient_id', 'mask'].map((c) => header.indexOf(c)) as [number, number, number, number];
  const bad: BadRow[] = [];
  const records: ImageRecord[] = [];
  const seen = new Map<string, number>();
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const line = r + 1;
    const rel = (row[iPath] ?? '').trim();
    const patient = (row[iPatient] ?? '').trim();
    if (rel === '') { bad.push({ file: csvRel, line, problem: 'empty path' }); continue; }
    if (patient === '') { bad.push({ file: csvRel, line, problem: `no patient_id for ${rel}` }); continue; }
    const name = path.posix.basename(rel);
    const prev = seen.get(name);
    if (prev !== undefined) { bad.push({ file: csvRel, line, problem: `duplicate file name ${name} (also on line ${prev})` }); continue; }
    seen.set(name, line);
    const problem = await checkImageHeader(path.join(abs, rel));
    if (problem) { bad.push({ file: projectPath(rootRel, rel), line: undefined, problem: `${problem} (listed on ${csvRel}:${line})` }); continue; }
    const mask = iMask >= 0 ? (row[iMask] ?? '').trim() : '';
    records.push({
      id: name,
      path: projectPath(rootRel, rel),
      patientId: patient,
      labels: (row[iLabels] ?? '').split('|').map((l) => l.trim()).filter((l) => l !== '' && l !== 'No Finding'),
      mask: mask === '' ? null : projectPath(rootRel, mask),
    });
  }
  return { records, bad };
}

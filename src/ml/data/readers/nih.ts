/**
 * Reader for the NIH ChestX-ray14 layout: `Data_Entry_2017.csv` (the real header; rows with or without
 * the trailing comma of the 2017 release) and images in `images/` or the real release's
 * `images_001/images/`... subfolders, optional `masks/<name>` (lung fields, written by `synth`), and the
 * official `train_val_list.txt` / `test_list.txt`.
 *
 * Owns: turning that folder into `ImageRecord`s and bad rows. Does not own: the split.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsv } from '../csv.js';
import { InputError } from '../../params/index.js';
import type { BadRow, ImageRecord, OfficialSplit, ReadResult } from '../records.js';
import { checkImageHeaders, indexByName, listImages, projectPath } from './scan.js';

export const NIH_CSV = 'Data_Entry_2017.csv';
const REQUIRED = ['Image Index', 'Finding Labels', 'Patient ID'] as const;

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

async function readList(file: string): Promise<Set<string>> {
  return new Set((await readFile(file, 'utf8')).split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== ''));
}

async function officialLists(abs: string, rootRel: string): Promise<Map<string, OfficialSplit>> {
  const trainVal = path.join(abs, 'train_val_list.txt');
  const test = path.join(abs, 'test_list.txt');
  if (!(await exists(trainVal)) || !(await exists(test))) {
    throw new InputError(
      `split.official_test is true but ${projectPath(rootRel, 'train_val_list.txt')} or ${projectPath(rootRel, 'test_list.txt')} is missing. ` +
        'Copy the official lists from the NIH release next to Data_Entry_2017.csv, or set split.official_test: false.',
    );
  }
  const map = new Map<string, OfficialSplit>();
  for (const name of await readList(trainVal)) map.set(name, 'train');
  for (const name of await readList(test)) map.set(name, 'test');
  return map;
}

/** Reads an NIH-layout folder. `rootRel` is relative to `projectRoot`. */
export async function readNih(projectRoot: string, rootRel: string, opts: { official: boolean }): Promise<ReadResult> {
  const abs = path.resolve(projectRoot, rootRel);
  const csvRel = projectPath(rootRel, NIH_CSV);
  const text = await readFile(path.join(abs, NIH_CSV), 'utf8').catch(() => {
    throw new InputError(`cannot read ${csvRel}: an NIH-layout dataset needs Data_Entry_2017.csv in data.root (${rootRel}).`);
  });
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim());
  const col = (name: string): number => header.indexOf(name);
  const missing = REQUIRED.filter((c) => col(c) < 0);
  if (missing.length > 0) {
    throw new InputError(
      `${csvRel} has the wrong columns: missing ${missing.map((m) => `'${m}'`).join(', ')} (found ${header.map((h) => `'${h}'`).join(', ')}). ` +
        'The NIH layout needs the header of the real Data_Entry_2017.csv; for other CSVs use data.format: csv.',
    );
  }
  const [iName, iLabels, iPatient] = REQUIRED.map(col) as [number, number, number];
  const files = await listImages(abs);
  const images = indexByName(files.filter((f) => !f.startsWith('masks/')));
  const masks = new Set(files.filter((f) => f.startsWith('masks/')).map((f) => path.posix.basename(f)));
  const bad: BadRow[] = images.duplicates.map(([name, a, b]) => ({ file: projectPath(rootRel, b), problem: `duplicate file name ${name} (also at ${projectPath(rootRel, a)})` }));
  const official = opts.official ? await officialLists(abs, rootRel) : null;
  const seen = new Map<string, number>();
  const records: ImageRecord[] = [];
  const headers = await checkImageHeaders(rows.slice(1).map((row) => {
    const rel = images.byName.get((row[iName] ?? '').trim());
    return rel === undefined ? '' : path.join(abs, rel);
  }));
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const line = r + 1;
    const name = (row[iName] ?? '').trim();
    const patient = (row[iPatient] ?? '').trim();
    if (row.length < header.length - 1 || row.length > header.length + 1) {
      bad.push({ file: csvRel, line, problem: `expected ${header.length} fields, found ${row.length}` });
      continue;
    }
    if (name === '') { bad.push({ file: csvRel, line, problem: 'empty Image Index' }); continue; }
    if (patient === '') { bad.push({ file: csvRel, line, problem: `no Patient ID for ${name}` }); continue; }
    const prev = seen.get(name);
    if (prev !== undefined) { bad.push({ file: csvRel, line, problem: `duplicate Image Index ${name} (also on line ${prev})` }); continue; }
    seen.set(name, line);
    const rel = images.byName.get(name);
    if (rel === undefined) { bad.push({ file: csvRel, line, problem: `image ${name} not found under ${rootRel}` }); continue; }
    const problem = headers[r - 1];
    if (problem) { bad.push({ file: projectPath(rootRel, rel), problem }); continue; }
    const labels = (row[iLabels] ?? '').split('|').map((l) => l.trim()).filter((l) => l !== '' && l !== 'No Finding');
    const record: ImageRecord = {
      id: name,
      path: projectPath(rootRel, rel),
      patientId: patient,
      labels,
      mask: masks.has(name) ? projectPath(rootRel, `masks/${name}`) : null,
    };
    const off = official?.get(name);
    if (off) record.official = off;
    records.push(record);
  }
  return { records, bad };
}

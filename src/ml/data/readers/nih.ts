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
import { parseCsvRows } from '../csv.js';
import { NIH_MAPPING } from '../mapping/presets.js';
import { mapRows } from '../mapping/map-rows.js';
import { InputError } from '../../params/index.js';
import type { BadRow, OfficialSplit, ReadResult } from '../records.js';
import { indexByName, listImages, projectPath } from './scan.js';

export const NIH_CSV = NIH_MAPPING.file;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function readList(file: string): Promise<Set<string>> {
  return new Set(
    (await readFile(file, 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
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
    throw new InputError(
      `cannot read ${csvRel}: an NIH-layout dataset needs Data_Entry_2017.csv in data.root (${rootRel}).`,
    );
  });
  const [head, ...rows] = parseCsvRows(text).rows;
  const files = await listImages(abs);
  const images = indexByName(files.filter((f) => !f.startsWith('masks/')));
  const masks = new Set(files.filter((f) => f.startsWith('masks/')).map((f) => path.posix.basename(f)));
  const duplicates: BadRow[] = images.duplicates.map(([name, a, b]) => ({
    file: projectPath(rootRel, b),
    problem: `duplicate file name ${name} (also at ${projectPath(rootRel, a)})`,
  }));
  const official = opts.official ? await officialLists(abs, rootRel) : null;
  const read = await mapRows({ file: csvRel, header: head?.fields ?? [], rows }, NIH_MAPPING, {
    projectRoot,
    citeRow: false,
    naming: {
      fieldOf: null,
      hint: 'The NIH layout needs the header of the real Data_Entry_2017.csv; for other CSVs use data.format: csv.',
    },
    // the 2017 release ends rows with a comma; the bracketed header names add commas of their own
    checkFields: (fields, header) =>
      fields.length < header.length - 1 || fields.length > header.length + 1
        ? `expected ${header.length} fields, found ${fields.length}`
        : null,
    locator: {
      where: `under ${rootRel}`,
      find: async (name) => {
        const rel = images.byName.get(name);
        return rel === undefined ? null : projectPath(rootRel, rel);
      },
      mask: (cell) => cell,
    },
  });
  for (const record of read.records) {
    if (masks.has(record.id)) record.mask = projectPath(rootRel, `masks/${record.id}`);
    const off = official?.get(record.id);
    if (off) record.official = off;
  }
  return { ...read, bad: [...duplicates, ...read.bad] };
}

/**
 * Reader for the Kermany et al. 2018 pediatric pneumonia layout (ChestXRay2017, Kaggle
 * chest-xray-pneumonia): `{train,val,test}/{NORMAL,PNEUMONIA}/<name>.jpeg`. The label is the folder; the
 * pneumonia subtype and the patient are parsed from the name:
 * `person1_bacteria_1.jpeg` → person1 / Bacterial, `person1_virus_6.jpeg` → person1 / Viral,
 * `IM-0115-0001.jpeg` and `IM-0429-0001-0002.jpeg` → IM-0115 / IM-0429,
 * `NORMAL2-IM-0135-0001.jpeg` → NORMAL2-IM-0135.
 *
 * Owns: the folder walk and the name parsing. Does not own: the split.
 */
import path from 'node:path';
import { access } from 'node:fs/promises';
import type { BadRow, ImageRecord, OfficialSplit, ReadResult } from '../records.js';
import type { CsvRow } from '../csv.js';
import { mapRows } from '../mapping/map-rows.js';
import { KERMANY_MAPPING } from '../mapping/presets.js';
import { indexByName, listImages, projectPath } from './scan.js';

const SPLITS: readonly OfficialSplit[] = ['train', 'val', 'test'];

/** Patient ID and subtype from a Kermany file name, or null when the name follows no known pattern. */
export function parseKermanyName(name: string): { patient: string; subtype?: 'Bacterial' | 'Viral' } | null {
  const stem = name.replace(/\.(jpe?g|png)$/i, '');
  const person = /^(person\d+)_(bacteria|virus)_\d+$/i.exec(stem);
  if (person)
    return {
      patient: person[1].toLowerCase(),
      subtype: person[2].toLowerCase() === 'bacteria' ? 'Bacterial' : 'Viral',
    };
  const im = /^((?:NORMAL\d+-)?IM-\d+)(?:-\d+)+$/i.exec(stem);
  if (im) return { patient: im[1].toUpperCase() };
  return null;
}

/** True when `abs` looks like a Kermany root (a split folder holding NORMAL or PNEUMONIA). */
export async function looksLikeKermany(abs: string): Promise<boolean> {
  for (const s of SPLITS) {
    for (const c of ['NORMAL', 'PNEUMONIA']) {
      if (
        await access(path.join(abs, s, c)).then(
          () => true,
          () => false,
        )
      )
        return true;
    }
  }
  return false;
}

export async function readKermany(projectRoot: string, rootRel: string): Promise<ReadResult> {
  const abs = path.resolve(projectRoot, rootRel);
  const files = (await listImages(abs, 3)).filter((f) => /^(train|val|test)\/(NORMAL|PNEUMONIA)\/[^/]+$/.test(f));
  const { duplicates } = indexByName(files);
  const bad: BadRow[] = duplicates.map(([name, a, b]) => ({
    file: projectPath(rootRel, b),
    problem: `duplicate file name ${name} (also at ${projectPath(rootRel, a)})`,
  }));
  const dupSet = new Set(duplicates.map((d) => d[2]));
  // The folder walk becomes a table (path, class folder, patient from the name) for the shared row rules.
  const rows: CsvRow[] = [];
  const extra = new Map<string, { official: OfficialSplit; subtype?: 'Bacterial' | 'Viral' }>();
  for (const [k, rel] of files.entries()) {
    if (dupSet.has(rel)) continue;
    const [split, cls, name] = rel.split('/') as [OfficialSplit, string, string];
    const parsed = parseKermanyName(name);
    if (!parsed) {
      bad.push({
        file: projectPath(rootRel, rel),
        problem:
          'no patient ID in the file name (expected personN_bacteria_K, personN_virus_K, IM-XXXX-YYYY or NORMAL2-IM-XXXX-YYYY)',
      });
      continue;
    }
    rows.push({ fields: [rel, cls, parsed.patient], line: k + 1 });
    extra.set(name, parsed.subtype ? { official: split, subtype: parsed.subtype } : { official: split });
  }
  const read = await mapRows({ file: null, header: ['path', 'class', 'patient'], rows }, KERMANY_MAPPING, {
    projectRoot,
    citeRow: false,
    naming: { fieldOf: null, hint: '' },
    locator: { where: `under ${rootRel}`, find: async (rel) => projectPath(rootRel, rel), mask: (cell) => cell },
  });
  const records: ImageRecord[] = read.records.map((r) => {
    const e = extra.get(r.id);
    const record: ImageRecord = { ...r, official: e?.official };
    if (r.labels.length > 0 && e?.subtype) record.subtype = e.subtype;
    return record;
  });
  return { ...read, rows: files.length, records, bad: [...bad, ...read.bad] };
}

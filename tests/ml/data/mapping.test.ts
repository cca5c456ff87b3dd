// The data.csv mapping on a realistic COVID-style metadata CSV (quoted notes, trailing empty column, mixed
// case extensions, CT rows, lateral views, multi-finding strings) and on 0/1 label columns; every bad
// input names the file and line; the value rules and the CSV line numbers on their own.
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsvRows } from '../../../src/ml/data/csv.js';
import { parseCsvMapping } from '../../../src/ml/data/mapping/mapping.js';
import { labelsOfCell, normaliseSex, normaliseView, parseAge } from '../../../src/ml/data/mapping/values.js';
import { readDataset } from '../../../src/ml/data/readers/index.js';
import { settleBadRows } from '../../../src/ml/data/records.js';
import { parseSplitParams, runSplit } from '../../../src/ml/data/split-run.js';
import { readSplitTable } from '../../../src/ml/data/split-files.js';
import { generateSynthetic, parseSynthParams } from '../../../src/ml/data/synth/generate.js';
import { COVID_CSV, covidRows, writeCovidDataset } from './covid-fixture.js';
import { NIH_HEADER, nihRow, pngBytes, put, tempDir } from './fixtures.js';

const read = (dir: string, csv: Record<string, unknown> = COVID_CSV) =>
  readDataset({ projectRoot: dir, root: 'ds', format: 'csv', official: false, csv: parseCsvMapping(csv) });

/** 1-based line of the row naming `file` in the fixture's CSV. */
async function lineOf(dir: string, file: string): Promise<number> {
  const text = await readFile(path.join(dir, 'ds/metadata.csv'), 'utf8');
  return text.slice(0, text.indexOf(`,${file},`)).split('\n').length;
}

describe('CSV rows and their lines', () => {
  it('keeps commas, quotes and line breaks inside quoted fields and reports where each row starts', () => {
    const { rows, unterminatedQuoteLine } = parseCsvRows('a,b,\r\n"x, y","say ""hi""\nthere",\r\n\r\nlast,"",\n');
    expect(rows).toEqual([
      { fields: ['a', 'b', ''], line: 1 },
      { fields: ['x, y', 'say "hi"\nthere', ''], line: 2 },
      { fields: ['last', '', ''], line: 5 },
    ]);
    expect(unterminatedQuoteLine).toBeNull();
    expect(parseCsvRows('a,b\n1,"open\n2,3\n').unterminatedQuoteLine).toBe(2);
  });
});

describe('value rules', () => {
  it('normalises view, sex and age, and treats impossible ages as unknown', () => {
    expect([' ap  supine ', 'PA', ''].map(normaliseView)).toEqual(['AP SUPINE', 'PA', null]);
    expect(['F', 'female', 'M', 'Male', 'x', ''].map(normaliseSex)).toEqual(['F', 'F', 'M', 'M', null, null]);
    expect(['57', '057Y', '6M', '45.5', '', 'unknown', '414'].map(parseAge)).toEqual([
      57,
      57,
      0.5,
      45.5,
      null,
      null,
      null,
    ]);
  });

  it('renames a whole cell before splitting it, then each name; no-finding values give no labels', () => {
    const rules = {
      noFinding: ['no finding'],
      rename: new Map([
        ['covid-19, ards', 'COVID-19'],
        ['streptococcus', 'Pneumonia'],
      ]),
    };
    expect(labelsOfCell('COVID-19, ARDS', ', ', rules)).toEqual({ labels: ['COVID-19'] });
    expect(labelsOfCell('Streptococcus, COVID-19', ', ', rules)).toEqual({ labels: ['Pneumonia', 'COVID-19'] });
    expect(labelsOfCell('No Finding', ', ', rules)).toEqual({ labels: [] });
    expect(labelsOfCell('  ', ', ', rules)).toEqual({ problem: 'empty label' });
    expect(labelsOfCell('', '|', { ...rules, noFinding: ['no finding', ''] })).toEqual({ labels: [] });
  });
});

describe('data.csv mapping on a COVID-style metadata CSV', () => {
  it('reads X-ray rows only, counts the filtered rows by rule and value, and keeps view/sex/age', async () => {
    await using t = await tempDir();
    await writeCovidDataset(t.dir, 'ds');
    const r = await read(t.dir);
    expect(r.bad).toEqual([]);
    expect(r.rows).toBe(covidRows().length);
    expect(r.filtered).toEqual([
      { column: 'modality', allowed: ['X-ray'], rows: 3, values: { CT: 3 } },
      { column: 'view', allowed: ['PA', 'AP', 'AP Supine'], rows: 2, values: { L: 2 } },
    ]);
    expect(r.metaColumns).toEqual(['view', 'sex', 'age']);
    expect(r.records).toHaveLength(21);
    expect(new Set(r.records.map((x) => x.patientId)).size).toBe(14);
    const byId = new Map(r.records.map((x) => [x.id, x]));
    expect(byId.get('p1-a.JPG')).toMatchObject({
      path: 'ds/images/p1-a.JPG',
      patientId: '1',
      labels: ['COVID-19'],
      meta: { view: 'PA', sex: 'M', age: 33 },
    });
    expect(byId.get('p4-a.Jpeg')).toMatchObject({ labels: [], meta: { view: 'AP SUPINE', sex: 'F', age: 42 } });
    expect(byId.get('p6-a.JPG')?.labels).toEqual(['Pneumonia', 'COVID-19']);
    expect(byId.get('p3-a.PNG')?.labels).toEqual(['Pneumonia']);
    expect(byId.get('p7-a.png')?.meta).toEqual({ view: 'PA', sex: null, age: 51 });
    expect(byId.get('p5-a.jpg')?.meta?.age).toBeNull();
    expect([...new Set(r.records.flatMap((x) => x.labels))].sort()).toEqual(['COVID-19', 'Pneumonia']);
  });

  it('finds a file whose name differs only in case when exactly one matches', async () => {
    await using t = await tempDir();
    await writeCovidDataset(t.dir, 'ds');
    await rename(path.join(t.dir, 'ds/images/p1-a.JPG'), path.join(t.dir, 'ds/images/P1-A.jpg'));
    const r = await read(t.dir);
    expect(r.bad).toEqual([]);
    expect(r.records.find((x) => x.id === 'p1-a.JPG')?.path).toBe('ds/images/P1-A.jpg');
  });

  it('splits by patient, writes view/sex/age into the split CSVs and reports labels, patients and filters', async () => {
    await using t = await tempDir();
    await writeCovidDataset(t.dir, 'ds');
    const params = parseSplitParams({ root: 'ds', format: 'csv', task: 'multilabel', csv: COVID_CSV }, { seed: 2 });
    const { report } = await runSplit(t.dir, path.join(t.dir, 'split'), params);
    expect(report.patientOverlap).toBe(0);
    expect(report.rows).toEqual({ read: 26, filtered: 5, bad: 0, used: 21 });
    expect(report.filtered.map((f) => [f.column, f.rows])).toEqual([
      ['modality', 3],
      ['view', 2],
    ]);
    expect(report.metaColumns).toEqual(['view', 'sex', 'age']);
    const tables = await Promise.all(
      ['train', 'val', 'test'].map((s) => readSplitTable(path.join(t.dir, 'split', `${s}.csv`), s)),
    );
    expect(tables.map((x) => x.metaColumns)).toEqual([
      ['view', 'sex', 'age'],
      ['view', 'sex', 'age'],
      ['view', 'sex', 'age'],
    ]);
    expect((await readFile(path.join(t.dir, 'split', 'train.csv'), 'utf8')).split('\n')[0]).toBe(
      'id,path,patient_id,labels,mask,view,sex,age',
    );
    const all = tables.flatMap((x) => x.rows);
    expect(all.find((x) => x.id === 'p4-a.Jpeg')?.meta).toEqual({ view: 'AP SUPINE', sex: 'F', age: 42 });
    for (const s of ['train', 'val', 'test'] as const) {
      const rows = tables[['train', 'val', 'test'].indexOf(s)]?.rows ?? [];
      expect(report.splits[s].labelPatients['COVID-19']).toBe(
        new Set(rows.filter((x) => x.labels.includes('COVID-19')).map((x) => x.patientId)).size,
      );
      expect(Object.values(report.splits[s].meta?.view ?? {}).reduce((a, b) => a + b, 0)).toBe(rows.length);
    }
  });
});

describe('data.csv with 0/1 label columns', () => {
  it('names each 1 by its column, renamed; a blank or odd value is a bad row with its line', async () => {
    await using t = await tempDir();
    for (const n of ['a', 'b', 'c', 'd']) await put(t.dir, `ds/files/${n}.png`, pngBytes(n.charCodeAt(0)));
    await put(
      t.dir,
      'ds/train.csv',
      'Path,Patient,Atelectasis,Pleural Effusion\nfiles/a.png,p1,1.0,0\nfiles/b.png,p2,0,0\nfiles/c.png,p3,,1\nfiles/d.png,p4,0,maybe\n',
    );
    const csv = {
      file: 'train.csv',
      path: 'Path',
      patient: 'Patient',
      labels: ['Atelectasis', 'Pleural Effusion'],
      rename: { 'Pleural Effusion': 'Effusion' },
    };
    const r = await read(t.dir, csv);
    expect(r.records.map((x) => [x.id, x.labels])).toEqual([
      ['files/a.png', ['Atelectasis']],
      ['files/b.png', []],
    ]);
    expect(r.bad).toEqual([
      {
        file: 'ds/train.csv',
        line: 4,
        problem: "empty label in column 'Atelectasis' (expected 0 or 1) for files/c.png",
      },
      {
        file: 'ds/train.csv',
        line: 5,
        problem: "'maybe' in label column 'Pleural Effusion' (expected 0 or 1) for files/d.png",
      },
    ]);
  });
});

describe('bad input to the data.csv mapping', () => {
  it('an unknown column: one error naming the CSV, line 1, the params key and a near match', async () => {
    await using t = await tempDir();
    await writeCovidDataset(t.dir, 'ds');
    await expect(read(t.dir, { ...COVID_CSV, patient: 'patient', filter: { Modality: 'X-ray' } })).rejects.toThrow(
      "ds/metadata.csv:1: the header has no column 'patient' (data.csv.patient; did you mean 'patientid'?), 'Modality' (data.csv.filter.Modality; did you mean 'modality'?); its columns are 'patientid', 'offset', 'sex', 'age', 'finding', 'survival', 'view', 'modality', 'date', 'location', 'folder', 'filename', 'doi', 'clinical_notes'. Set those keys under data.csv in params.yaml to columns of the header (names match exactly, including case and spaces).",
    );
  });

  it('an empty label, a missing file and a duplicate image: bad rows naming file and line, one paragraph', async () => {
    await using t = await tempDir();
    const rows = covidRows();
    (rows[0] as { finding: string }).finding = '';
    rows.push({ ...rows[3] });
    await writeCovidDataset(t.dir, 'ds', rows);
    await rm(path.join(t.dir, 'ds/images/p5-a.jpg'));
    const r = await read(t.dir);
    const [first, dupOf] = [await lineOf(t.dir, 'p1-a.JPG'), await lineOf(t.dir, 'p3-a.PNG')];
    const text = await readFile(path.join(t.dir, 'ds/metadata.csv'), 'utf8');
    const dupLine = text.slice(0, text.lastIndexOf(',p3-a.PNG,')).split('\n').length;
    expect(r.bad).toEqual([
      { file: 'ds/metadata.csv', line: first, problem: "empty label in column 'finding' for p1-a.JPG" },
      {
        file: 'ds/metadata.csv',
        line: await lineOf(t.dir, 'p5-a.jpg'),
        problem: 'image p5-a.jpg not found in ds/images',
      },
      { file: 'ds/metadata.csv', line: dupLine, problem: `duplicate filename p3-a.PNG (also on line ${dupOf})` },
    ]);
    expect(dupLine).toBeGreaterThan(dupOf + 20); // the quoted notes span lines: row index + 1 would be wrong
    expect(() => settleBadRows(r.bad, 'error', 'dataset ds')).toThrow(
      `3 bad entries in dataset ds: ds/metadata.csv:${first}: empty label in column 'finding' for p1-a.JPG; ds/metadata.csv:${await lineOf(t.dir, 'p5-a.jpg')}: image p5-a.jpg not found in ds/images; ds/metadata.csv:${dupLine}: duplicate filename p3-a.PNG (also on line ${dupOf}). Fix or remove them, or set split.on_bad_rows: skip in params.yaml to leave them out with a warning.`,
    );
  });

  it('a corrupt image names the image and its CSV line; an unclosed quote and stray fields name their line', async () => {
    await using t = await tempDir();
    await writeCovidDataset(t.dir, 'ds');
    await put(t.dir, 'ds/images/p2-a.png', 'not an image');
    const r = await read(t.dir);
    expect(r.bad).toEqual([
      {
        file: 'ds/images/p2-a.png',
        problem: `not a PNG or JPEG file (unrecognised header bytes) (listed on ds/metadata.csv:${await lineOf(t.dir, 'p2-a.png')})`,
      },
    ]);
    await writeCovidDataset(t.dir, 'ds', covidRows(), [
      '99,0,M,40,COVID-19,,PA,X-ray,x,y,images,p1-a.JPG,doi,"never closed,',
    ]);
    const lines = (await readFile(path.join(t.dir, 'ds/metadata.csv'), 'utf8')).split('\n').length;
    await expect(read(t.dir)).rejects.toThrow(
      `ds/metadata.csv:${lines}: a quoted field starts on this line and is never closed`,
    );
    await writeCovidDataset(t.dir, 'ds', covidRows(), [
      '99,0,M,40,COVID-19,,PA,X-ray,x,y,images,p99.png,doi,notes,,surplus',
    ]);
    const bad = (await read(t.dir)).bad;
    expect(bad).toEqual([
      {
        file: 'ds/metadata.csv',
        line: lines,
        problem: 'expected 15 fields, found 16 (an unquoted comma or a stray quote?)',
      },
    ]);
  });

  it('a wrong image folder: the split names the missing files, not "no findings"', async () => {
    await using t = await tempDir();
    await writeCovidDataset(t.dir, 'ds');
    const params = parseSplitParams({ root: 'ds', format: 'csv', csv: { ...COVID_CSV, images: 'imgs' } }, {});
    await expect(runSplit(t.dir, path.join(t.dir, 'split'), params)).rejects.toThrow(
      /^21 bad entries in dataset ds: ds\/metadata.csv:2: image p1-a.JPG not found in ds\/imgs;/,
    );
  });

  it('rejects bad data.csv params with the shared wording', () => {
    expect(() => parseCsvMapping({ ...COVID_CSV, colour: 'x' })).toThrow(
      /^unknown option data.csv.colour; known options: file, images, path/,
    );
    expect(() => parseCsvMapping({ ...COVID_CSV, separator: '' })).toThrow(
      `expected a non-empty string (e.g. "|" or ", ") or null for data.csv.separator, got '' (string)`,
    );
    expect(() => parseCsvMapping({ labels: ['A', 'B'], separator: '|' })).toThrow(
      /data.csv.separator applies to one label column/,
    );
    expect(() => parseCsvMapping({ filter: { view: [] } })).toThrow(
      "expected a string or a list of strings for data.csv.filter.view, got '[]' (array)",
    );
    expect(() => parseSplitParams({ format: 'nih', csv: COVID_CSV }, {})).toThrow(
      /data.csv describes a CSV for data.format: csv, but data.format is nih/,
    );
  });
});

describe('presets carry metadata', () => {
  it('NIH: Patient Age, Patient Gender and View Position become age, sex and view', async () => {
    await using t = await tempDir();
    await put(t.dir, 'ds/images/00000001_000.png', pngBytes(1));
    await put(t.dir, 'ds/images/00000002_000.png', pngBytes(2));
    const other = nihRow('00000002_000.png', 'Mass', '2').replace(',50,M,PA,', ',414,F,AP,');
    await put(
      t.dir,
      'ds/Data_Entry_2017.csv',
      [NIH_HEADER, nihRow('00000001_000.png', 'No Finding', '1'), other].join('\n'),
    );
    const r = await readDataset({ projectRoot: t.dir, root: 'ds', format: 'nih', official: false });
    expect(r.metaColumns).toEqual(['view', 'sex', 'age']);
    expect(r.records.map((x) => x.meta)).toEqual([
      { view: 'PA', sex: 'M', age: 50 },
      { view: 'AP', sex: 'F', age: null },
    ]);
  });

  it('NIH without the metadata columns: no metadata, as before', async () => {
    await using t = await tempDir();
    await put(t.dir, 'ds/images/00000001_000.png', pngBytes(1));
    await put(t.dir, 'ds/Data_Entry_2017.csv', 'Image Index,Finding Labels,Patient ID\n00000001_000.png,Mass,1\n');
    const r = await readDataset({ projectRoot: t.dir, root: 'ds', format: 'nih', official: false });
    expect(r.metaColumns).toEqual([]);
    expect(r.records[0]?.meta).toBeUndefined();
  });

  it('the synthetic dataset maps to plausible views (PA/AP), sexes and ages', async () => {
    await using t = await tempDir();
    await generateSynthetic(path.join(t.dir, 'raw'), parseSynthParams({ seed: 3, patients: 40, size: 32 }), {
      threads: 1,
    });
    const r = await readDataset({ projectRoot: t.dir, root: 'raw', format: 'auto', official: false });
    const metas = r.records.map((x) => x.meta);
    expect(new Set(metas.map((m) => m?.view))).toEqual(new Set(['PA', 'AP']));
    expect(new Set(metas.map((m) => m?.sex))).toEqual(new Set(['F', 'M']));
    expect(metas.every((m) => typeof m?.age === 'number' && m.age >= 18 && m.age <= 90)).toBe(true);
  });
});

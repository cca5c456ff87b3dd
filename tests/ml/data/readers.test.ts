// Dataset readers on tiny fixture trees in each layout, and their errors for bad input.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/ml/params/index.js';
import { detectFormat, readDataset } from '../../../src/ml/data/readers/index.js';
import { parseKermanyName } from '../../../src/ml/data/readers/kermany.js';
import { settleBadRows } from '../../../src/ml/data/records.js';
import { jpegBytes, NIH_HEADER, nihRow, pngBytes, put, tempDir } from './fixtures.js';

describe('NIH layout', () => {
  it('reads rows with and without the trailing comma, images in images_00x/images, and masks', async () => {
    await using t = await tempDir();
    await put(t.dir, 'ds/images_001/images/00000001_000.png', pngBytes(1));
    await put(t.dir, 'ds/images_002/images/00000001_001.png', pngBytes(2));
    await put(t.dir, 'ds/images_002/images/00000002_000.png', pngBytes(3));
    await put(t.dir, 'ds/masks/00000002_000.png', pngBytes(4));
    await put(
      t.dir,
      'ds/Data_Entry_2017.csv',
      [
        NIH_HEADER,
        nihRow('00000001_000.png', 'Cardiomegaly|Effusion', '1', true),
        nihRow('00000001_001.png', 'No Finding', '1'),
        nihRow('00000002_000.png', 'Nodule', '2', true),
      ].join('\n') + '\n',
    );
    expect(await detectFormat(t.dir, 'ds')).toBe('nih');
    const { records, bad } = await readDataset({ projectRoot: t.dir, root: 'ds', format: 'auto', official: false });
    expect(bad).toEqual([]);
    expect(records.map((r) => [r.id, r.patientId, r.labels, r.path, r.mask])).toEqual([
      ['00000001_000.png', '1', ['Cardiomegaly', 'Effusion'], 'ds/images_001/images/00000001_000.png', null],
      ['00000001_001.png', '1', [], 'ds/images_002/images/00000001_001.png', null],
      ['00000002_000.png', '2', ['Nodule'], 'ds/images_002/images/00000002_000.png', 'ds/masks/00000002_000.png'],
    ]);
  });

  it('reports a missing file, a row without patient ID, a duplicate and a corrupt image, naming each', async () => {
    await using t = await tempDir();
    await put(t.dir, 'ds/images/00000001_000.png', pngBytes(1));
    await put(t.dir, 'ds/images/00000003_000.png', 'this is not a png');
    await put(t.dir, 'ds/images/00000004_000.png', pngBytes(4));
    await put(
      t.dir,
      'ds/Data_Entry_2017.csv',
      [
        NIH_HEADER,
        nihRow('00000001_000.png', 'No Finding', '1'),
        nihRow('00000002_000.png', 'Mass', '2'),
        nihRow('00000003_000.png', 'Mass', '3'),
        nihRow('00000004_000.png', 'Mass', ''),
        nihRow('00000001_000.png', 'Mass', '1'),
      ].join('\n'),
    );
    const { records, bad } = await readDataset({ projectRoot: t.dir, root: 'ds', format: 'nih', official: false });
    expect(records.map((r) => r.id)).toEqual(['00000001_000.png']);
    expect(bad.map((b) => `${b.file}${b.line ? ':' + b.line : ''} ${b.problem}`)).toEqual([
      'ds/Data_Entry_2017.csv:3 image 00000002_000.png not found under ds',
      'ds/images/00000003_000.png not a PNG or JPEG file (unrecognised header bytes)',
      'ds/Data_Entry_2017.csv:5 no Patient ID for 00000004_000.png',
      'ds/Data_Entry_2017.csv:6 duplicate Image Index 00000001_000.png (also on line 2)',
    ]);
    expect(() => settleBadRows(bad, 'error', 'dataset ds')).toThrow(
      /4 bad entries in dataset ds: ds\/Data_Entry_2017.csv:3: image 00000002_000.png not found.*on_bad_rows: skip/,
    );
    expect(settleBadRows(bad, 'skip', 'dataset ds')).toMatch(/^skipped 4 bad entries of dataset ds/);
  });

  it('rejects a CSV with the wrong columns, naming the file and what is missing', async () => {
    await using t = await tempDir();
    await put(t.dir, 'ds/Data_Entry_2017.csv', 'Image,Labels,Patient\na.png,Mass,1\n');
    await expect(readDataset({ projectRoot: t.dir, root: 'ds', format: 'nih', official: false })).rejects.toThrow(
      /ds\/Data_Entry_2017.csv has the wrong columns: missing 'Image Index', 'Finding Labels', 'Patient ID' \(found 'Image', 'Labels', 'Patient'\)/,
    );
  });

  it('reads the official lists when asked, and says what is missing otherwise', async () => {
    await using t = await tempDir();
    await put(t.dir, 'ds/images/00000001_000.png', pngBytes(1));
    await put(t.dir, 'ds/images/00000002_000.png', pngBytes(2));
    await put(
      t.dir,
      'ds/Data_Entry_2017.csv',
      [NIH_HEADER, nihRow('00000001_000.png', 'Mass', '1'), nihRow('00000002_000.png', 'No Finding', '2')].join('\n'),
    );
    await expect(readDataset({ projectRoot: t.dir, root: 'ds', format: 'nih', official: true })).rejects.toThrow(
      /train_val_list.txt or ds\/test_list.txt is missing/,
    );
    await put(t.dir, 'ds/train_val_list.txt', '00000001_000.png\n');
    await put(t.dir, 'ds/test_list.txt', '00000002_000.png\n');
    const { records } = await readDataset({ projectRoot: t.dir, root: 'ds', format: 'nih', official: true });
    expect(records.map((r) => r.official)).toEqual(['train', 'test']);
  });
});

describe('Kermany layout', () => {
  it('parses patients and subtypes from the real file-name patterns', () => {
    expect(parseKermanyName('person1_bacteria_1.jpeg')).toEqual({ patient: 'person1', subtype: 'Bacterial' });
    expect(parseKermanyName('person1_virus_6.jpeg')).toEqual({ patient: 'person1', subtype: 'Viral' });
    expect(parseKermanyName('IM-0115-0001.jpeg')).toEqual({ patient: 'IM-0115' });
    expect(parseKermanyName('IM-0429-0001-0002.jpeg')).toEqual({ patient: 'IM-0429' });
    expect(parseKermanyName('NORMAL2-IM-0135-0001.jpeg')).toEqual({ patient: 'NORMAL2-IM-0135' });
    expect(parseKermanyName('scan.jpeg')).toBeNull();
  });

  it('reads {train,val,test}/{NORMAL,PNEUMONIA} and keeps the official split', async () => {
    await using t = await tempDir();
    await put(t.dir, 'k/train/NORMAL/IM-0115-0001.jpeg', await jpegBytes(1));
    await put(t.dir, 'k/train/NORMAL/NORMAL2-IM-0135-0001.jpeg', await jpegBytes(2));
    await put(t.dir, 'k/train/PNEUMONIA/person1_bacteria_1.jpeg', await jpegBytes(3));
    await put(t.dir, 'k/val/PNEUMONIA/person1_virus_6.jpeg', await jpegBytes(4));
    await put(t.dir, 'k/test/PNEUMONIA/person2_virus_9.jpeg', await jpegBytes(5));
    await put(t.dir, 'k/test/NORMAL/odd-name.jpeg', await jpegBytes(6));
    expect(await detectFormat(t.dir, 'k')).toBe('kermany');
    const { records, bad } = await readDataset({ projectRoot: t.dir, root: 'k', format: 'kermany', official: false });
    expect(records.map((r) => [r.id, r.patientId, r.labels.join('|'), r.subtype ?? '-', r.official])).toEqual([
      ['person2_virus_9.jpeg', 'person2', 'Pneumonia', 'Viral', 'test'],
      ['IM-0115-0001.jpeg', 'IM-0115', '', '-', 'train'],
      ['NORMAL2-IM-0135-0001.jpeg', 'NORMAL2-IM-0135', '', '-', 'train'],
      ['person1_bacteria_1.jpeg', 'person1', 'Pneumonia', 'Bacterial', 'train'],
      ['person1_virus_6.jpeg', 'person1', 'Pneumonia', 'Viral', 'val'],
    ]);
    expect(bad).toEqual([
      { file: 'k/test/NORMAL/odd-name.jpeg', problem: expect.stringMatching(/^no patient ID in the file name/) },
    ]);
  });
});

describe('generic CSV layout', () => {
  it('reads path,labels,patient_id and rejects wrong columns', async () => {
    await using t = await tempDir();
    await put(t.dir, 'g/img/a.png', pngBytes(1));
    await put(t.dir, 'g/img/b.png', pngBytes(2));
    await put(t.dir, 'g/labels.csv', 'path,labels,patient_id\nimg/a.png,Mass|Nodule,p1\nimg/b.png,,p2\n');
    expect(await detectFormat(t.dir, 'g')).toBe('csv');
    const { records } = await readDataset({ projectRoot: t.dir, root: 'g', format: 'csv', official: false });
    expect(records.map((r) => [r.id, r.labels, r.patientId])).toEqual([
      ['a.png', ['Mass', 'Nodule'], 'p1'],
      ['b.png', [], 'p2'],
    ]);
    await put(t.dir, 'g/labels.csv', 'file,label\nimg/a.png,Mass\n');
    await expect(readDataset({ projectRoot: t.dir, root: 'g', format: 'csv', official: false })).rejects.toThrow(
      InputError,
    );
    await expect(readDataset({ projectRoot: t.dir, root: 'g', format: 'csv', official: false })).rejects.toThrow(
      /g\/labels.csv has the wrong columns: missing 'path', 'labels', 'patient_id'/,
    );
  });

  it('names an unknown layout and a missing folder', async () => {
    await using t = await tempDir();
    await expect(detectFormat(t.dir, 'nothing-here')).rejects.toThrow(/data.root folder nothing-here does not exist/);
    await put(t.dir, 'empty/readme.txt', 'hi');
    await expect(detectFormat(t.dir, 'empty')).rejects.toThrow(/cannot tell the dataset layout of empty/);
  });
});

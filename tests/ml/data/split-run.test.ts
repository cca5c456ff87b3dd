// The split step end to end on an NIH-layout fixture: adversarial patients, the report, bad-row policy.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSplitParams, runSplit } from '../../../src/ml/data/split-run.js';
import { readSplitCsv } from '../../../src/ml/data/split-files.js';
import { NIH_HEADER, nihRow, pngBytes, put, tempDir } from './fixtures.js';

async function nihFixture(root: string, extraRows: string[] = []): Promise<void> {
  const rows: string[] = [];
  const add = async (patient: number, followup: number, labels: string): Promise<void> => {
    const name = `${String(patient).padStart(8, '0')}_${String(followup).padStart(3, '0')}.png`;
    await put(root, `ds/images/${name}`, pngBytes(patient * 100 + followup, 4, 4));
    rows.push(nihRow(name, labels, String(patient), patient % 2 === 0));
  };
  for (let f = 0; f < 50; f++) await add(1, f, f % 3 === 0 ? 'Effusion' : 'No Finding');
  for (let f = 0; f < 3; f++) await add(2, f, 'Hernia'); // a rare label carried by a single patient
  for (let p = 3; p < 60; p++) await add(p, 0, p % 4 === 0 ? 'Effusion|Mass' : p % 5 === 0 ? 'Mass' : 'No Finding');
  await put(root, 'ds/Data_Entry_2017.csv', [NIH_HEADER, ...rows, ...extraRows].join('\n') + '\n');
}

describe('runSplit', () => {
  it('never puts a patient in two splits and reports counts per split', async () => {
    await using t = await tempDir();
    await nihFixture(t.dir);
    const params = parseSplitParams({ root: 'ds', format: 'auto', task: 'multilabel' }, { seed: 4 });
    const { report, warnings } = await runSplit(t.dir, path.join(t.dir, 'out'), params);
    expect(warnings).toEqual([]);
    expect(report.patientOverlap).toBe(0);
    const splits = await Promise.all(
      ['train', 'val', 'test'].map((s) => readSplitCsv(path.join(t.dir, 'out', `${s}.csv`), s)),
    );
    const owners = new Map<string, Set<number>>();
    splits.forEach((rows, k) =>
      rows.forEach((r) => owners.set(r.patientId, (owners.get(r.patientId) ?? new Set()).add(k))),
    );
    expect([...owners.values()].every((s) => s.size === 1)).toBe(true);
    expect(splits.flat()).toHaveLength(50 + 3 + 57);
    const big = splits.findIndex((rows) => rows.some((r) => r.patientId === '1'));
    expect(splits[big]?.filter((r) => r.patientId === '1')).toHaveLength(50);
    expect(report.splits.train.images + report.splits.val.images + report.splits.test.images).toBe(110);
    expect(
      Object.values(report.splits)
        .map((s) => s.labels['Hernia'])
        .sort(),
    ).toEqual([0, 0, 3]);
    expect(JSON.parse(await readFile(path.join(t.dir, 'out', 'labels.json'), 'utf8'))).toEqual({
      task: 'multilabel',
      labels: ['Effusion', 'Hernia', 'Mass'],
    });
    const again = await runSplit(t.dir, path.join(t.dir, 'out2'), params);
    expect(again.report).toEqual(report);
    expect(await readFile(path.join(t.dir, 'out2', 'test.csv'), 'utf8')).toBe(
      await readFile(path.join(t.dir, 'out', 'test.csv'), 'utf8'),
    );
  });

  it('stops on bad rows by default and skips them with a warning and a count when asked', async () => {
    await using t = await tempDir();
    await nihFixture(t.dir, [nihRow('00000099_000.png', 'Mass', '99'), nihRow('00000098_000.png', 'Mass', '')]);
    const strict = parseSplitParams({ root: 'ds', format: 'nih' }, {});
    await expect(runSplit(t.dir, path.join(t.dir, 'out'), strict)).rejects.toThrow(
      /^2 bad entries in dataset ds: ds\/Data_Entry_2017.csv:112: image 00000099_000.png not found under ds; ds\/Data_Entry_2017.csv:113: no Patient ID/,
    );
    const lenient = parseSplitParams({ root: 'ds', format: 'nih' }, { on_bad_rows: 'skip' });
    const { report, warnings } = await runSplit(t.dir, path.join(t.dir, 'out'), lenient);
    expect(warnings).toEqual([expect.stringMatching(/^skipped 2 bad entries of dataset ds/)]);
    expect(report.skippedBadRows).toBe(2);
  });
});

// The readers, the split and the preprocessing on the real radiographs in ../shared/realdata (598 images
// in the exact NIH and Kermany layouts). Skipped, with the reason, when that folder is absent.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePreprocessParams } from '../../../src/ml/data/preprocess/options.js';
import { preprocessImage } from '../../../src/ml/data/preprocess/pixels.js';
import { readDataset } from '../../../src/ml/data/readers/index.js';
import { parseSplitParams, runSplit } from '../../../src/ml/data/split-run.js';
import type { SplitReport } from '../../../src/ml/data/split-files.js';
import { tempDir } from './fixtures.js';

const PROJECT = fileURLToPath(new URL('../../..', import.meta.url));
const REAL = '../shared/realdata';
const present = existsSync(path.join(PROJECT, REAL, 'nih', 'Data_Entry_2017.csv'));

describe.skipIf(!present)(
  `real radiographs in ${REAL} (skipped when the folder is absent, e.g. outside this project's CI)`,
  () => {
    it('reads the NIH subset: 298 images, 216 patients, 15 labels', async () => {
      const { records, bad, format } = await readDataset({
        projectRoot: PROJECT,
        root: `${REAL}/nih`,
        format: 'auto',
        official: false,
      });
      expect(format).toBe('nih');
      expect(bad).toEqual([]);
      expect(records).toHaveLength(298);
      expect(new Set(records.map((r) => r.patientId)).size).toBe(216);
      expect(new Set(records.flatMap((r) => r.labels)).size).toBe(14); // + No Finding = 15 labels
      expect(records.filter((r) => r.labels.length === 0)).toHaveLength(77);
    });

    it('reads the Kermany subset: 300 images, 154 patients, bacteria/virus from the names', async () => {
      const { records, bad, format } = await readDataset({
        projectRoot: PROJECT,
        root: `${REAL}/kermany`,
        format: 'auto',
        official: false,
      });
      expect(format).toBe('kermany');
      expect(bad).toEqual([]);
      expect(records).toHaveLength(300);
      expect(new Set(records.map((r) => r.patientId)).size).toBe(154);
      const count = (split: string, sub: string | undefined, pneu: boolean): number =>
        records.filter((r) => r.official === split && r.subtype === sub && r.labels.length > 0 === pneu).length;
      expect([
        count('train', undefined, false),
        count('train', 'Bacterial', true),
        count('train', 'Viral', true),
      ]).toEqual([60, 94, 46]);
      expect([count('test', undefined, false), count('test', 'Bacterial', true), count('test', 'Viral', true)]).toEqual(
        [40, 49, 11],
      );
    });

    it('splits both subsets by patient with zero overlap, for every task', async () => {
      await using t = await tempDir();
      for (const [sub, task] of [
        ['nih', 'multilabel'],
        ['kermany', 'binary'],
        ['kermany', 'multiclass'],
      ] as const) {
        const params = parseSplitParams(
          { root: path.relative(t.dir, path.join(PROJECT, REAL, sub)), format: 'auto', task },
          { seed: 3 },
        );
        const { report } = await runSplit(t.dir, path.join(t.dir, 'split'), params);
        expect(report.patientOverlap, `${sub} ${task}`).toBe(0);
        const rows = await Promise.all(
          ['train', 'val', 'test'].map(async (s) =>
            (await readFile(path.join(t.dir, 'split', `${s}.csv`), 'utf8')).trim().split('\n').slice(1),
          ),
        );
        const patients = rows.map((r) => new Set(r.map((line) => line.split(',')[2])));
        for (const p of patients[0]) expect(patients[1]?.has(p) || patients[2]?.has(p)).toBe(false);
        expect(rows.flat()).toHaveLength(sub === 'nih' ? 298 : 300);
        const rep: SplitReport = report;
        expect(rep.splits.val.images).toBeGreaterThan(0);
      }
    });

    it('preprocesses every image shape in the folder (64×64 and 256 PNGs, 224 and non-square JPEGs)', async () => {
      const o = parsePreprocessParams({ size: 64 });
      const { records: nih } = await readDataset({
        projectRoot: PROJECT,
        root: `${REAL}/nih`,
        format: 'nih',
        official: false,
      });
      const { records: ker } = await readDataset({
        projectRoot: PROJECT,
        root: `${REAL}/kermany`,
        format: 'kermany',
        official: false,
      });
      for (const r of [...nih.slice(0, 20), ...ker.slice(0, 20), ...ker.slice(-20)]) {
        const out = await preprocessImage(await readFile(path.join(PROJECT, r.path)), r.path, o);
        expect(out.length).toBe(64 * 64);
        expect(Math.max(...out) - Math.min(...out)).toBeGreaterThan(150);
      }
    });
  },
);

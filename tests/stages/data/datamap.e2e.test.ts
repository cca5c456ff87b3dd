// E2E: a dataset in a layout the readers have never seen (a COVID-style metadata CSV, see covid-fixture.ts)
// runs split + preprocess through the built CLI from params.yaml alone; bad input fails the split stage
// with one paragraph naming the CSV and line. `repro` exits 1 for a failed stage, also when the stage
// failed on bad input (the CLI contract pinned in tests/cli/module-stage.e2e.test.ts); exit 2 is for
// errors found before anything runs (pipeline.yaml, params references).
import fs from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { SplitIndex } from '../../../src/ml/data/preprocessed-format.js';
import type { SplitReport } from '../../../src/ml/data/split-files.js';
import { COVID_CSV_YAML, covidRows, writeCovidDataset } from '../../ml/data/covid-fixture.js';
import { REPO_ROOT, XPIPE_BIN } from '../../helpers/project-rig.js';

const PIPELINE = `stages:
  split:
    module: stages/split.ts
    deps: [data/covid]
    params: [data, split]
    outs: [data/split]
  preprocess:
    module: stages/preprocess.ts
    deps: [data/split, data/covid, src/ml/data/pool-worker.ts, src/ml/data/preprocess/image-task.ts]
    params: [preprocess]
    outs: [data/preprocessed]
`;

const params = (csvYaml = COVID_CSV_YAML, onBadRows = 'error'): string => `data:
  format: csv
  root: data/covid
  task: multilabel
${csvYaml}split:
  seed: 3
  train: 0.6
  val: 0.2
  test: 0.2
  official_test: false
  on_bad_rows: ${onBadRows}
preprocess:
  size: 32
  equalize: global
  blur_ksize: 3
  blur_sigma: 0
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A project holding the repository's stages and src, the fixture dataset and the given params. */
async function project(paramsYaml: string, rows = covidRows(), edit?: (dir: string) => Promise<void>): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-datamap-'));
  dirs.push(dir);
  for (const f of ['stages', 'src']) fs.cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // the native kernels too (src/ml/runtime/onednn/addon.ts finds them beside src/): the stages copied here and
  // the repository's CLI must run the same kernels, or their floats differ in the last bits
  fs.symlinkSync(path.join(REPO_ROOT, 'native'), path.join(dir, 'native'), 'dir');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), PIPELINE);
  fs.writeFileSync(path.join(dir, 'params.yaml'), paramsYaml);
  await writeCovidDataset(dir, 'data/covid', rows);
  await edit?.(dir);
  return dir;
}

async function xpipe(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  const r = await execa(process.execPath, [XPIPE_BIN, ...args], {
    cwd: dir,
    reject: false,
    env: { XPIPE_TF_BACKEND: 'cpu' },
  });
  return { code: r.exitCode ?? -1, out: `${String(r.stdout)}\n${String(r.stderr)}` };
}

const json = <T>(dir: string, rel: string): T => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')) as T;

function lineOf(dir: string, needle: string, last = false): number {
  const text = fs.readFileSync(path.join(dir, 'data/covid/metadata.csv'), 'utf8');
  return text.slice(0, last ? text.lastIndexOf(needle) : text.indexOf(needle)).split('\n').length;
}

describe('a COVID-style metadata CSV through the CLI', () => {
  it('runs split + preprocess from params.yaml alone, with filtered rows counted and metadata in SplitIndex.meta', async () => {
    const dir = await project(params());
    const r = await xpipe(dir, ['repro', 'preprocess']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('filter modality in [X-ray] left out 3 rows: CT 3');
    expect(r.out).toContain('filter view in [PA, AP, AP Supine] left out 2 rows: L 2');
    const report = json<SplitReport>(dir, 'data/split/report.json');
    expect(report.rows).toEqual({ read: 26, filtered: 5, bad: 0, used: 21 });
    expect(report.patientOverlap).toBe(0);
    expect(json<{ labels: string[] }>(dir, 'data/preprocessed/labels.json').labels).toEqual(['COVID-19', 'Pneumonia']);
    let n = 0;
    for (const s of ['train', 'val', 'test'] as const) {
      const index = json<SplitIndex>(dir, `data/preprocessed/${s}.json`);
      n += index.ids.length;
      expect(index.shape).toEqual([index.ids.length, 32, 32]);
      const shardBytes = (index.shards ?? []).reduce(
        (sum, shard) => sum + fs.statSync(path.join(dir, 'data/preprocessed', shard.file)).size,
        0,
      );
      expect(shardBytes).toBe(index.ids.length * 32 * 32);
      expect(Object.keys(index.meta ?? {})).toEqual(['view', 'sex', 'age']);
      expect(index.meta?.view).toHaveLength(index.ids.length);
      expect(index.meta?.sex).toHaveLength(index.ids.length);
      expect(index.meta?.age).toHaveLength(index.ids.length);
      index.ids.forEach((id, i) => {
        const row = covidRows().find((x) => x.file === id);
        expect(index.meta?.view?.[i]).toBe(row?.view?.toUpperCase());
        expect(index.meta?.sex?.[i]).toBe(row?.sex === '' ? null : row?.sex);
        expect(index.meta?.age?.[i]).toBe(row?.age === '' ? null : Number(row?.age));
      });
    }
    expect(n).toBe(21);
  });

  it('fails the split with one paragraph naming the CSV and line for an unknown column, an empty label, a missing file and a duplicate image', async () => {
    const empty = covidRows();
    (empty[2] as { finding: string }).finding = '';
    const dup = covidRows();
    dup.push({ ...dup[5] });
    const [unknown, emptyLabel, missing, duplicate] = await Promise.all([
      project(params(COVID_CSV_YAML.replace('patient: patientid', 'patient: patient_id'))),
      project(params(), empty),
      project(params(), covidRows(), (dir) => rm(path.join(dir, 'data/covid/images/p6-a.JPG'))),
      project(params(), dup),
    ]);
    const runs = await Promise.all([unknown, emptyLabel, missing, duplicate].map((d) => xpipe(d, ['repro', 'split'])));
    for (const run of runs) {
      expect(run.code, run.out).toBe(1);
      // one paragraph: the stage's verdict line carries the whole message
      expect(run.out.split('\n').filter((l) => l.startsWith('failed split: '))).toHaveLength(1);
    }
    const [u, e, m, d] = runs.map((x) => x.out) as [string, string, string, string];
    expect(u).toContain(
      "data/covid/metadata.csv:1: the header has no column 'patient_id' (data.csv.patient; did you mean 'patientid'?)",
    );
    expect(e).toContain(
      `1 bad entry in dataset data/covid: data/covid/metadata.csv:${lineOf(emptyLabel, ',p2-a.png,')}: empty label in column 'finding' for p2-a.png. Fix or remove them, or set split.on_bad_rows: skip`,
    );
    expect(m).toContain(
      `data/covid/metadata.csv:${lineOf(missing, ',p6-a.JPG,')}: image p6-a.JPG not found in data/covid/images`,
    );
    expect(d).toContain(
      `data/covid/metadata.csv:${lineOf(duplicate, ',p4-a.Jpeg,', true)}: duplicate filename p4-a.Jpeg (also on line ${lineOf(duplicate, ',p4-a.Jpeg,')})`,
    );
    for (const out of [u, e, m, d]) expect(out).not.toMatch(/\n\s+at /); // no stack trace

    // the same missing file with on_bad_rows: skip: a warning, and the split goes on without it
    fs.writeFileSync(path.join(missing, 'params.yaml'), params(COVID_CSV_YAML, 'skip'));
    const skipped = await xpipe(missing, ['repro', 'split']);
    expect(skipped.code, skipped.out).toBe(0);
    expect(skipped.out).toContain('skipped 1 bad entry of dataset data/covid');
    expect(json<SplitReport>(missing, 'data/split/report.json').rows).toEqual({
      read: 26,
      filtered: 5,
      bad: 1,
      used: 20,
    });
  });
});

// The synth → split → preprocess stage modules run in-process on a temp project (tests/helpers/stage-context).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { LabelSpace, PreprocessStats, SplitIndex } from '../../../src/ml/data/preprocessed-format.js';
import type { SplitReport } from '../../../src/ml/data/split-files.js';
import { StageInputError } from '../../../src/stage-api/index.js';
import preprocess from '../../../stages/preprocess.js';
import split from '../../../stages/split.js';
import synth from '../../../stages/synth.js';
import { makeTestContext } from '../../helpers/stage-context.js';
import { tempDir } from '../../ml/data/fixtures.js';

const SPLIT_PARAMS = {
  data: { root: 'data/raw', format: 'nih', task: 'multilabel' },
  split: { seed: 1, train: 0.7, val: 0.15, test: 0.15, official_test: false, on_bad_rows: 'error' },
};

async function runAll(root: string, patients: number | null, blur = 5): Promise<string[]> {
  const sy = makeTestContext({
    root,
    params: { synth: { seed: 9, patients, size: 64, prevalence: { Effusion: 0.4, Nodule: 0.3 } } },
    outs: ['data/raw'],
  });
  if (patients !== null) await synth.run(sy);
  const sp = makeTestContext({ root, params: SPLIT_PARAMS, deps: ['data/raw'], outs: ['data/split'] });
  await split.run(sp);
  const pre = makeTestContext({
    root,
    params: { preprocess: { size: 32, equalize: 'global', blur_ksize: blur, blur_sigma: 0 } },
    deps: ['data/split', 'data/raw'],
    outs: ['data/preprocessed'],
    plots: ['reports/preprocess/contact_sheet.png'],
  });
  await preprocess.run(pre);
  return [...sy.messages, ...sp.messages, ...pre.messages];
}

const json = async <T>(file: string): Promise<T> => JSON.parse(await readFile(file, 'utf8')) as T;

describe('data stages', () => {
  it('produce the preprocessed contract, cache per image, and re-process only what changed', async () => {
    await using t = await tempDir();
    const first = await runAll(t.dir, 14);
    expect(first.at(-1)).toMatch(/cache 0 hits, (\d+) misses/);
    const report = await json<SplitReport>(path.join(t.dir, 'data/split/report.json'));
    expect(report.patientOverlap).toBe(0);
    const space = await json<LabelSpace>(path.join(t.dir, 'data/preprocessed/labels.json'));
    expect(space.task).toBe('multilabel');
    let total = 0;
    for (const s of ['train', 'val', 'test'] as const) {
      const index = await json<SplitIndex>(path.join(t.dir, `data/preprocessed/${s}.json`));
      const n = index.ids.length;
      total += n;
      expect(index.shape).toEqual([n, 32, 32]);
      const shards = index.shards ?? [];
      expect(shards.reduce((a, sh) => a + sh.count, 0)).toBe(n);
      for (const sh of shards) {
        expect((await readFile(path.join(t.dir, `data/preprocessed/${sh.file}`))).length).toBe(sh.count * 32 * 32);
        expect((await readFile(path.join(t.dir, `data/preprocessed/${sh.masks}`))).length).toBe(sh.count * 32 * 32);
      }
      expect(index.labels.every((v) => v.length === space.labels.length)).toBe(true);
      expect(index.masks.every((m) => m?.startsWith('data/raw/masks/'))).toBe(true);
      expect(index.sources.every((src) => src.startsWith('data/raw/images/'))).toBe(true);
      expect(report.splits[s].images).toBe(n);
    }
    const stats = await json<PreprocessStats>(path.join(t.dir, 'data/preprocessed/stats.json'));
    expect(stats.mean).toBeGreaterThan(0.3);
    expect(stats.mean).toBeLessThan(0.7);
    expect((await sharp(path.join(t.dir, 'reports/preprocess/contact_sheet.png')).metadata()).format).toBe('png');

    // Same data again: every image is a cache hit.
    expect((await runAll(t.dir, null)).at(-1)).toContain(`cache ${total} hits, 0 misses`);
    // Two more patients (per-patient seeds keep the first 14 identical): only their images are processed.
    const grown = (await runAll(t.dir, 16)).at(-1) ?? '';
    const [, hits, misses] = /cache (\d+) hits, (\d+) misses/.exec(grown) ?? [];
    expect(Number(hits)).toBe(total);
    expect(Number(misses)).toBeGreaterThan(0);
    expect(Number(misses)).toBeLessThanOrEqual(12);
    // A different blur re-processes everything.
    expect((await runAll(t.dir, null, 3)).at(-1)).toMatch(new RegExp(`cache 0 hits, ${total + Number(misses)} misses`));
  });

  it('fails with one paragraph naming a corrupt image', async () => {
    await using t = await tempDir();
    await runAll(t.dir, 3);
    const sp = await json<SplitIndex>(path.join(t.dir, 'data/preprocessed/train.json'));
    const victim = sp.sources[0];
    const bytes = await readFile(path.join(t.dir, victim));
    await writeFile(path.join(t.dir, victim), bytes.subarray(0, 60));
    const ctx = makeTestContext({
      root: t.dir,
      params: { preprocess: { size: 16 } },
      deps: ['data/split'],
      outs: ['data/preprocessed'],
    });
    const run = preprocess.run(ctx);
    await expect(run).rejects.toThrow(StageInputError);
    await expect(preprocess.run(ctx)).rejects.toThrow(
      new RegExp(`^1 image could not be preprocessed. cannot decode ${victim}`),
    );
  });

  it('rejects bad params with the shared wording', async () => {
    await using t = await tempDir();
    const ctx = makeTestContext({ root: t.dir, params: { synth: { patients: '10' } }, outs: ['data/raw'] });
    await expect(synth.run(ctx)).rejects.toThrow(
      new StageInputError("expected positive integer for synth.patients, got '10' (string)"),
    );
    const sp = makeTestContext({
      root: t.dir,
      params: { data: { root: 'data/raw' }, split: { train: 0.8, val: 0.15, test: 0.15 } },
      outs: ['data/split'],
    });
    await expect(split.run(sp)).rejects.toThrow(/split.train \+ split.val \+ split.test = 1/);
  });
});

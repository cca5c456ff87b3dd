// The preprocess stage's shards: fixed-size files whose boundaries depend only on image positions, so
// images appended to a split change its last shard's bytes and no other file.
import { createHash } from 'node:crypto';
import { appendFile, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../../src/ml/data/dataset.js';
import type { SplitIndex } from '../../../src/ml/data/preprocessed-format.js';
import preprocess from '../../../stages/preprocess.js';
import split from '../../../stages/split.js';
import synth from '../../../stages/synth.js';
import { makeTestContext } from '../../helpers/stage-context.js';
import { tempDir } from '../../ml/data/fixtures.js';

const SPLIT_PARAMS = {
  data: { root: 'data/raw', format: 'nih', task: 'multilabel' },
  split: { seed: 1, train: 0.7, val: 0.15, test: 0.15, official_test: false, on_bad_rows: 'error' },
};
// 32×32 = 1 KiB per image: 0.01 MiB shards hold 10 images.
const PREPROCESS = { preprocess: { size: 32, equalize: 'global', blur_ksize: 3, shard_mb: 0.01 } };

async function runPreprocess(root: string): Promise<void> {
  const ctx = makeTestContext({
    root,
    params: PREPROCESS,
    deps: ['data/split', 'data/raw'],
    outs: ['data/preprocessed'],
  });
  await preprocess.run(ctx);
}

async function fileHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await readdir(dir)).sort()) {
    out.set(
      name,
      createHash('sha256')
        .update(await readFile(path.join(dir, name)))
        .digest('hex'),
    );
  }
  return out;
}

describe('preprocess shards', () => {
  it('rewrites only the last shard of a split when images are appended to it', async () => {
    await using t = await tempDir();
    await synth.run(
      makeTestContext({ root: t.dir, params: { synth: { seed: 3, patients: 12, size: 48 } }, outs: ['data/raw'] }),
    );
    await split.run(makeTestContext({ root: t.dir, params: SPLIT_PARAMS, deps: ['data/raw'], outs: ['data/split'] }));
    await runPreprocess(t.dir);
    const out = path.join(t.dir, 'data/preprocessed');
    const index = JSON.parse(await readFile(path.join(out, 'train.json'), 'utf8')) as SplitIndex;
    const shards = index.shards ?? [];
    expect(shards.length).toBeGreaterThan(1);
    expect(shards.slice(0, -1).every((s) => s.count === 10)).toBe(true);
    const last = shards.at(-1)!;
    expect(last.count).toBeLessThan(10); // room for the appended images (else the test proves less)
    const before = await fileHashes(out);
    const whole = await loadSplit(out, 'train');

    // Append new images to train.csv (new ids and patients, re-using existing image files as sources).
    const room = 10 - last.count;
    const csv = (await readFile(path.join(t.dir, 'data/split/train.csv'), 'utf8')).trim().split('\n');
    const extra = csv
      .slice(1, 1 + room)
      .map((line, k) => line.replace(/^[^,]+,([^,]+),[^,]+,/, `zz${k}.png,$1,zz${k},`));
    await appendFile(path.join(t.dir, 'data/split/train.csv'), extra.join('\n') + '\n');
    await runPreprocess(t.dir);
    const after = await fileHashes(out);

    const changed = [...after.keys()].filter((name) => before.get(name) !== after.get(name)).sort();
    // The last train shard (pixels and masks) and the train index; stats.json as the train mean moved.
    expect(changed).toEqual([last.file, last.masks, 'stats.json', 'train.json'].sort());
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const grown = await loadSplit(out, 'train');
    expect(grown.n).toBe(whole.n + room);
    expect(grown.pixels.subarray(0, whole.pixels.length)).toEqual(whole.pixels);
    const newIndex = JSON.parse(await readFile(path.join(out, 'train.json'), 'utf8')) as SplitIndex;
    expect(newIndex.shards?.at(-1)?.sha256).toBe(after.get(last.file));
  });
});

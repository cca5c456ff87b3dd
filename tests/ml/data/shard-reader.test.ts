// The shard reader: the same images as the pre-shard single-file layout for any index list, a wrong-sized
// shard named in the error, and training batches read through the prefetch queue that are bit-identical
// to batches cut from the whole split in memory (same order, same augmentation draws).
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAugmenter } from '../../../src/ml/data/augment.js';
import { batches, loadSplit, loadStats, makeInputs, range } from '../../../src/ml/data/dataset.js';
import { prefetched } from '../../../src/ml/data/prefetch.js';
import { openSplit } from '../../../src/ml/data/shard-reader.js';
import { Mulberry32 } from '../../../src/shared/rng.js';
import { epochOrder } from '../../../src/ml/train/sampler.js';
import { parseAugmentOptions } from '../../../src/ml/train/options.js';
import { writeFixture } from '../../stages/model/fixture-data.js';

let root: string;
const sharded = (): string => path.join(root, 'sharded');
const single = (): string => path.join(root, 'single');

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'xpipe-shards-'));
  const counts = { train: 23, val: 9, test: 5 };
  // 7 images per shard: train spans 4 shards, the last one partial.
  await writeFixture(sharded(), { size: 12, counts, shardImages: 7 });
  await writeFixture(single(), { size: 12, counts, shardImages: null });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('shard reader', () => {
  it('reads the same pixels, masks and labels as the single-file layout, for any index list', async () => {
    const whole = await loadSplit(single(), 'train');
    expect((await loadSplit(sharded(), 'train')).pixels).toEqual(whole.pixels);
    const source = await openSplit(sharded(), 'train');
    expect(source.hasMasks).toBe(true);
    // repeats, reverse order and runs crossing shard boundaries (6,7,8 and 13,14)
    const indices = [22, 0, 6, 7, 8, 3, 3, 13, 14, 21, 1];
    const batch = await source.read(indices);
    const px = 12 * 12;
    indices.forEach((i, b) => {
      expect(batch.pixels.subarray(b * px, (b + 1) * px)).toEqual(whole.pixels.subarray(i * px, (i + 1) * px));
      expect(batch.masks?.subarray(b * px, (b + 1) * px)).toEqual(whole.masks?.subarray(i * px, (i + 1) * px));
      expect(Array.from(batch.labels.subarray(b * 2, b * 2 + 2))).toEqual(
        Array.from(whole.labels.subarray(i * 2, i * 2 + 2)),
      );
      expect(batch.ids[b]).toBe(whole.ids[i]);
    });
    await expect(source.read([23])).rejects.toThrow(/image index 23 out of range 0..22/);
    await source.close();
  });

  it('names a shard whose size does not match the index', async () => {
    const dir = path.join(root, 'broken');
    await writeFixture(dir, { size: 12, counts: { train: 10, val: 3, test: 3 }, shardImages: 4 });
    await truncate(path.join(dir, 'val-00000.bin'), 100);
    await expect(openSplit(dir, 'val')).rejects.toThrow(
      'val-00000.bin holds 100 bytes, expected 3×12×12 from val.json',
    );
  });

  it('gives training batches identical to batches of the split held in memory', async () => {
    const whole = await loadSplit(single(), 'train');
    const stats = await loadStats(single());
    const source = await openSplit(sharded(), 'train');
    const augment = parseAugmentOptions({ augment: { hflip: 0.5, rotate: { p: 0.5, degrees: 10 } } });
    const epoch = async (streamed: boolean): Promise<Float32Array[]> => {
      const rng = new Mulberry32(5);
      const out: Float32Array[] = [];
      for (let e = 0; e < 2; e++) {
        const list = batches(epochOrder('none', whole.labels, whole.numLabels, rng), 5);
        const aug = makeAugmenter(augment, () => rng.next());
        if (!streamed) {
          for (const b of list) out.push(tf.tidy(() => makeInputs(whole, b, stats, 1, aug).dataSync() as Float32Array));
          continue;
        }
        for await (const batch of prefetched(list.length, (k) => source.read(list[k]), 3)) {
          out.push(tf.tidy(() => makeInputs(batch, range(batch.n), stats, 1, aug).dataSync() as Float32Array));
        }
      }
      return out;
    };
    const [memory, streamed] = [await epoch(false), await epoch(true)];
    expect(streamed).toHaveLength(memory.length);
    streamed.forEach((x, k) => expect(x).toEqual(memory[k]));
    await source.close();
  });
});

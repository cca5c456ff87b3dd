// Synthesises a small dataset in the preprocessed format (src/ml/data/preprocessed-format.ts) in a temp
// dir: label 0 ("Mass") draws a bright blob, label 1 ("Effusion") a dark band at the bottom of a lung,
// both inside the lung masks, so a tiny model can learn them in a couple of epochs.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { LabelSpace, PreprocessStats, SplitIndex, Task } from '../../../src/ml/data/preprocessed-format.js';
import { ShardWriter } from '../../../src/ml/data/preprocess/shard-writer.js';
import { SeededDropout } from '../../../src/ml/models/custom-layers.js';
import { Mulberry32, type Rng } from '../../../src/shared/rng.js';

export interface FixtureOptions {
  size?: number;
  /** Images per split. */
  counts?: { train: number; val: number; test: number };
  task?: Task;
  seed?: number;
  masks?: boolean;
  /**
   * Every 4th validation image is labelled negative but shows both findings, so it scores high: a
   * threshold must then trade false positives against sensitivity (tests of min_specificity need that).
   */
  hardValNegatives?: boolean;
  /**
   * Give every split view/sex/age metadata (`SplitIndex.meta`): view cycles AP SUPINE / PA / AP (one null),
   * sex is M for odd rows, so in multilabel every Mass positive (kinds 1, 3) is M and F has none, and age
   * runs 25..74 (one null).
   */
  meta?: boolean;
  /**
   * Images per shard (written by the preprocess stage's ShardWriter; default 10, so a split spans several
   * shards), or null for the pre-shard layout of one `<split>.bin` per split.
   */
  shardImages?: number | null;
}

/** The metadata of row i of a split with n rows (see FixtureOptions.meta). */
export function fixtureMeta(n: number): Required<NonNullable<SplitIndex['meta']>> {
  const rows = [...Array(n).keys()];
  return {
    view: rows.map((i) => (i === 4 ? null : ['AP SUPINE', 'PA', 'AP'][i % 3])),
    sex: rows.map((i) => (i % 2 === 1 ? 'M' : 'F')),
    age: rows.map((i) => (i === 5 ? null : 25 + ((i * 7) % 50))),
  };
}

export const FIXTURE_LABELS: Record<Task, string[]> = {
  multilabel: ['Mass', 'Effusion'],
  binary: ['Pneumonia'],
  multiclass: ['normal', 'mass', 'effusion'],
};

function inLung(x: number, y: number, s: number): boolean {
  const left = Math.hypot((x - 0.3 * s) / (0.16 * s), (y - 0.5 * s) / (0.35 * s)) <= 1;
  const right = Math.hypot((x - 0.7 * s) / (0.16 * s), (y - 0.5 * s) / (0.35 * s)) <= 1;
  return left || right;
}

function drawImage(s: number, mass: boolean, effusion: boolean, rng: Rng): Uint8Array {
  const img = new Uint8Array(s * s);
  const bx = (rng.next() < 0.5 ? 0.3 : 0.7) * s;
  const by = (0.35 + 0.2 * rng.next()) * s;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      let v = inLung(x, y, s) ? 70 : 150;
      v += (rng.next() - 0.5) * 30;
      if (mass && Math.hypot(x - bx, y - by) < 0.1 * s) v = 235;
      if (effusion && inLung(x, y, s) && y > 0.68 * s) v = 10;
      img[y * s + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  return img;
}

/** Writes the fixture into `dir` (e.g. `<tmp>/data/preprocessed`). */
export async function writeFixture(dir: string, options: FixtureOptions = {}): Promise<void> {
  const s = options.size ?? 32;
  const task = options.task ?? 'multilabel';
  const counts = options.counts ?? { train: 48, val: 24, test: 24 };
  const rng = new Mulberry32(options.seed ?? 7);
  const labels = FIXTURE_LABELS[task];
  await mkdir(dir, { recursive: true });
  const mask = new Uint8Array(s * s);
  for (let y = 0; y < s; y++) for (let x = 0; x < s; x++) mask[y * s + x] = inLung(x, y, s) ? 255 : 0;
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  let patient = 0;
  for (const split of ['train', 'val', 'test'] as const) {
    const n = counts[split];
    const pixels = new Uint8Array(n * s * s);
    const index: SplitIndex = { split, shape: [n, s, s], ids: [], patientIds: [], labels: [], sources: [], masks: [] };
    for (let i = 0; i < n; i++) {
      const kind = i % 4; // 0 none, 1 mass, 2 effusion, 3 both (multilabel)
      let row: number[];
      let mass = kind === 1 || kind === 3;
      let effusion = kind === 2 || kind === 3;
      if (task === 'binary') {
        effusion = false;
        mass = i % 2 === 1;
        row = [mass ? 1 : 0];
      } else if (task === 'multiclass') {
        const c = i % 3;
        mass = c === 1;
        effusion = c === 2;
        row = [c === 0 ? 1 : 0, c === 1 ? 1 : 0, c === 2 ? 1 : 0];
      } else {
        row = [mass ? 1 : 0, effusion ? 1 : 0];
      }
      const hard = options.hardValNegatives === true && split === 'val' && task === 'multilabel' && kind === 0;
      const img = drawImage(s, mass || hard, effusion || hard, rng);
      pixels.set(img, i * s * s);
      if (split === 'train') {
        for (const v of img) {
          sum += v / 255;
          sumSq += (v / 255) ** 2;
          count++;
        }
      }
      const id = `${String(patient).padStart(8, '0')}_000.png`;
      index.ids.push(id);
      index.patientIds.push(String(patient++));
      index.labels.push(row);
      index.sources.push(`data/raw/images/${id}`);
      index.masks.push(options.masks === false ? null : `data/raw/masks/${id}`);
    }
    if (options.meta) index.meta = fixtureMeta(n);
    const perShard = options.shardImages === undefined ? 10 : options.shardImages;
    if (perShard === null) {
      await writeFile(path.join(dir, `${split}.bin`), pixels);
      if (options.masks !== false) {
        const masks = new Uint8Array(n * s * s);
        for (let i = 0; i < n; i++) masks.set(mask, i * s * s);
        await writeFile(path.join(dir, `${split}.masks.bin`), masks);
      }
    } else {
      const writer = new ShardWriter(dir, split, n, perShard, s * s, options.masks !== false);
      for (let i = 0; i < n; i++) {
        await writer.put(i, pixels.subarray(i * s * s, (i + 1) * s * s), options.masks !== false ? mask : null);
      }
      index.shards = writer.entries();
    }
    await writeFile(path.join(dir, `${split}.json`), JSON.stringify(index));
  }
  const mean = sum / count;
  const stats: PreprocessStats = {
    mean,
    std: Math.sqrt(sumSq / count - mean * mean),
    size: s,
    equalize: 'none',
    blurKsize: 0,
  };
  const space: LabelSpace = { task, labels };
  await writeFile(path.join(dir, 'stats.json'), JSON.stringify(stats));
  await writeFile(path.join(dir, 'labels.json'), JSON.stringify(space));
}

/** A tiny conv net producing logits; `last_conv` is its last convolution; optional seeded dropout. */
export function tinyModel(size: number, numClasses: number, seed = 1, dropout = 0): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const input = tf.input({ shape: [size, size, 1] });
  let x = tf.layers
    .conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(seed) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({
      name: 'last_conv',
      filters: 8,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(seed + 1),
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalMaxPooling2d({}).apply(x) as tf.SymbolicTensor;
  if (dropout > 0) x = new SeededDropout({ rate: dropout, seed, name: 'drop' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: numClasses, kernelInitializer: init(seed + 2) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

// The training loop on a tiny model: it learns, restores the best epoch's weights, and a run
// interrupted after one epoch resumes from its checkpoint to exactly the weights of an uninterrupted run.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStats } from '../../../src/ml/data/dataset.js';
import { openSplit, type SplitSource } from '../../../src/ml/data/shard-reader.js';
import type { PreprocessStats } from '../../../src/ml/data/preprocessed-format.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { loadCheckpoint, saveCheckpoint, type EpochRecord } from '../../../src/ml/train/checkpoint.js';
import { fit, type FitInput } from '../../../src/ml/train/fit.js';
import { parseTrainStageOptions } from '../../../src/ml/train/options.js';
import { tinyModel, writeFixture } from '../../stages/model/fixture-data.js';

let dir: string;
let train: SplitSource;
let val: SplitSource;
let stats: PreprocessStats;

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  dir = await mkdtemp(path.join(os.tmpdir(), 'xpipe-fit-'));
  await writeFixture(dir, { size: 16, counts: { train: 32, val: 16, test: 8 } });
  [train, val, stats] = await Promise.all([openSplit(dir, 'train'), openSplit(dir, 'val'), loadStats(dir)]);
});

afterAll(async () => {
  await Promise.all([train.close(), val.close()]);
  await rm(dir, { recursive: true, force: true });
});

function input(params: Record<string, unknown>, extra: Partial<FitInput> = {}, dropout = 0): FitInput {
  const o = parseTrainStageOptions(params);
  return {
    model: tinyModel(16, 2, 1, dropout),
    task: 'multilabel',
    train,
    val,
    stats,
    trainOptions: o.train,
    loss: o.loss,
    augment: o.augment,
    ...extra,
  };
}

const weightsOf = (m: tf.LayersModel): Float32Array[] => m.getWeights().map((w) => Float32Array.from(w.dataSync()));

describe('fit', () => {
  it('learns the fixture (validation AUC well above chance) without leaking tensors', async () => {
    const before = tf.memory().numTensors;
    const i = input({
      train: { epochs: 6, batch_size: 8, lr: 0.02, schedule: 'none', patience: 6 },
      loss: { pos_weight: 'balanced' },
    });
    const result = await fit(i);
    expect(result.best.val_auc as number).toBeGreaterThan(0.8);
    expect(result.history).toHaveLength(6);
    expect(result.imagesPerSecond).toBeGreaterThan(0);
    i.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops early on a scripted metric sequence and restores the best epoch weights', async () => {
    const scripted = [0.6, 0.8, 0.7, 0.75, 0.9];
    const snapshots: Float32Array[][] = [];
    const i = input(
      { train: { epochs: 5, batch_size: 16, lr: 0.01, patience: 2, schedule: 'none' } },
      { validate: async (_m, epoch) => ({ val_loss: 1, val_auc: scripted[epoch], val_ap: null }) },
    );
    i.reporter = { epochStart() {}, tick() {}, log() {}, epochEnd: () => snapshots.push(weightsOf(i.model)) };
    const result = await fit(i);
    expect(result.epochsRun).toBe(4);
    expect(result.stoppedEarly).toBe(true);
    expect(result.best.epoch).toBe(2);
    expect(weightsOf(i.model)).toEqual(snapshots[1]);
    expect(weightsOf(i.model)).not.toEqual(snapshots[3]);
    i.model.dispose();
  });

  it('resumes an interrupted run (with seeded dropout) from its checkpoint to the same final weights', async () => {
    const params = {
      train: { epochs: 3, batch_size: 8, lr: 0.01, optimizer: 'adamw', weight_decay: 0.01, patience: 5 },
      augment: { hflip: 0.5, rotate: { p: 0.5 } },
    };
    const full = input(params, {}, 0.3);
    const fullResult = await fit(full);

    const ckptDir = path.join(dir, 'ckpt');
    const store = {
      load: () => loadCheckpoint(ckptDir),
      save: (s: Parameters<typeof saveCheckpoint>[1]) => saveCheckpoint(ckptDir, s),
    };
    const controller = new AbortController();
    const first = input(
      params,
      {
        checkpoints: store,
        signal: controller.signal,
        reporter: {
          epochStart() {},
          tick() {},
          log() {},
          epochEnd: (r: EpochRecord) => r.epoch === 1 && controller.abort(),
        },
      },
      0.3,
    );
    await expect(fit(first)).rejects.toThrow(/cancelled/);
    expect((await loadCheckpoint(ckptDir))?.epochsDone).toBe(1);

    const logs: string[] = [];
    const resumed = input(
      params,
      { checkpoints: store, reporter: { epochStart() {}, tick() {}, epochEnd() {}, log: (m) => logs.push(m) } },
      0.3,
    );
    const resumedResult = await fit(resumed);
    expect(logs.join('\n')).toMatch(/resuming training from the checkpoint after epoch 1\/3/);
    expect(resumedResult.resumedEpochs).toBe(1);
    expect(resumedResult.history.map((h) => h.loss)).toEqual(fullResult.history.map((h) => h.loss));
    expect(weightsOf(resumed.model)).toEqual(weightsOf(full.model));
    for (const m of [full.model, first.model, resumed.model]) m.dispose();
  });
});

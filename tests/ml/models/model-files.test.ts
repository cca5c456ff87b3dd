// Model files: bit-exact round trip, atomic replace, cross-backend load (wasm ↔ cpu), standard layout.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../../src/ml/io/model-files.js';
import { buildModel } from '../../../src/ml/models/index.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';

let dir: string;

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  dir = await mkdtemp(join(tmpdir(), 'xpipe-model-files-'));
});
afterAll(async () => {
  await tf.setBackend('wasm');
  await rm(dir, { recursive: true, force: true });
});

/** SHA-256 of every weight's raw bytes, in order (vitest's deep equality is too slow on megabytes). */
function weightBytes(model: tf.LayersModel): string[] {
  return model.getWeights().map((w) =>
    createHash('sha256')
      .update(w.dataSync() as Float32Array)
      .digest('hex'),
  );
}

/** A chestnet_s with non-trivial weights and batch-norm statistics (one training step). */
async function trainedModel(seed: number): Promise<tf.LayersModel> {
  const model = buildModel({ arch: 'chestnet_s', inputSize: 16, numClasses: 2, seed });
  model.compile({ optimizer: tf.train.adam(0.01), loss: tf.losses.sigmoidCrossEntropy });
  const x = tf.randomNormal([4, 16, 16, 1], 0, 1, 'float32', seed);
  const y = tf.tensor2d([
    [1, 0],
    [0, 1],
    [1, 1],
    [0, 0],
  ]);
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  tf.dispose([x, y]);
  return model;
}

describe('saveModel / loadModel', () => {
  it('round-trips weights bit-exactly and predicts identically', async () => {
    await tf.setBackend('wasm');
    const model = await trainedModel(1);
    const target = join(dir, 'roundtrip');
    await saveModel(model, target);
    const loaded = await loadModel(target);
    expect(loaded.weights.map((w) => w.originalName)).toEqual(model.weights.map((w) => w.originalName));
    expect(weightBytes(loaded)).toEqual(weightBytes(model));
    const x = tf.randomNormal([3, 16, 16, 1], 0, 1, 'float32', 9);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
    model.dispose();
    loaded.dispose();
  });

  it('writes the standard TF.js layers layout and replaces an existing directory atomically', async () => {
    const model = await trainedModel(2);
    const target = join(dir, 'replace');
    await saveModel(model, target);
    await saveModel(model, target);
    expect((await readdir(target)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    const layers = (json.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).toContain('BatchNormalization');
    model.dispose();
  });

  it('loads under cpu what was trained and saved under wasm, and the reverse', async () => {
    await tf.setBackend('wasm');
    const model = await trainedModel(3);
    const fromWasm = join(dir, 'from-wasm');
    await saveModel(model, fromWasm);
    const bytes = weightBytes(model);
    await tf.setBackend('cpu');
    const onCpu = await loadModel(fromWasm);
    expect(weightBytes(onCpu)).toEqual(bytes);
    const fromCpu = join(dir, 'from-cpu');
    await saveModel(onCpu, fromCpu);
    await tf.setBackend('wasm');
    const back = await loadModel(fromCpu);
    expect(weightBytes(back)).toEqual(bytes);
    model.dispose();
    onCpu.dispose();
    back.dispose();
  });
});

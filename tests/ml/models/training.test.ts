// Determinism (same seed + backend → identical weights after N steps, dropout included) and no tensor
// leaks across epochs, on the wasm backend with the project's kernels.
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type Arch } from '../../../src/ml/models/index.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  await tf.setBackend('wasm');
});

function digest(model: tf.LayersModel): string {
  const h = createHash('sha256');
  for (const w of model.getWeights()) h.update(w.dataSync() as Float32Array);
  return h.digest('hex');
}

/** Trains `steps` batches of 4 from a fixed synthetic data set; returns the weights' digest. */
async function train(arch: Arch, seed: number, steps: number): Promise<string> {
  const model = buildModel({ arch, inputSize: 32, numClasses: 2, seed });
  model.compile({ optimizer: tf.train.adam(0.01), loss: tf.losses.sigmoidCrossEntropy });
  const x = tf.randomUniform([4 * steps, 32, 32, 1], 0, 1, 'float32', 11);
  const y = tf.randomUniform([4 * steps, 2], 0, 1, 'float32', 12).round();
  await model.fit(x, y, { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
  const d = digest(model);
  tf.dispose([x, y]);
  model.optimizer.dispose();
  model.dispose();
  return d;
}

describe('determinism', () => {
  it.each(['chestnet_s', 'mobilenet_v3_small'] as Arch[])(
    '%s: same seed gives identical weights after 3 steps',
    async (arch) => {
      const a = await train(arch, 5, 3);
      const b = await train(arch, 5, 3);
      const c = await train(arch, 6, 3);
      expect(b).toBe(a);
      expect(c).not.toBe(a);
    },
  );
});

describe('memory', () => {
  it('keeps tf.memory().numTensors constant from epoch 1 to epoch 3', async () => {
    const model = buildModel({ arch: 'chestnet_s', inputSize: 32, numClasses: 2, seed: 1 });
    model.compile({ optimizer: tf.train.adam(0.01), loss: tf.losses.sigmoidCrossEntropy });
    const x = tf.randomUniform([8, 32, 32, 1], 0, 1, 'float32', 1);
    const y = tf.randomUniform([8, 2], 0, 1, 'float32', 2).round();
    const counts: number[] = [];
    await model.fit(x, y, {
      epochs: 3,
      batchSize: 4,
      verbose: 0,
      callbacks: {
        onEpochEnd: async () => {
          counts.push(tf.memory().numTensors);
        },
      },
    });
    expect(counts).toHaveLength(3);
    expect(counts[2]).toBe(counts[0]);
    tf.dispose([x, y]);
    model.optimizer.dispose();
    model.dispose();
  });

  it('leaves no tensors behind after a custom training loop (optimizer.minimize)', () => {
    const model = buildModel({ arch: 'resnet18', inputSize: 32, numClasses: 2, seed: 1 });
    const optimizer = tf.train.sgd(0.01);
    const x = tf.randomUniform([2, 32, 32, 1], 0, 1, 'float32', 1);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const step = (): void => {
      const loss = optimizer.minimize(
        () => tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor),
        true,
      );
      loss?.dispose();
    };
    step();
    const after1 = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(after1);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });
});

// A few training steps of chestnet_s on `webgpu` against `cpu`: the same seeded model and batch, gradients
// of the first step per variable, then the losses of three SGD steps. Runs on whatever adapter Dawn finds
// (in CI: Mesa lavapipe, a software Vulkan driver); skipped only when there is none, with the reason.
//
// Tolerances (why): every kernel agrees with cpu to ~1e-6 of its output's scale (webgpu-kernels.test.ts),
// but float32 sums run in a different order on each backend and errors feed forward through ~40 kernels of
// the backward pass, batch-norm gradients (divided by the batch's standard deviation) most. Measured here
// (16², batch 2): every gradient within 1e-6 of its largest element; a probe at 64², batch 32 (sums over
// 64× more terms) saw up to 1.2e-3 in batch-norm gradients. So: 1e-4 of each variable's largest gradient,
// except the conv biases that feed a batch norm: their true gradient is exactly zero (the norm subtracts
// the mean), both backends return rounding noise, compared absolutely (1e-4 of the model's largest
// gradient). Losses: within 1e-5 of the first loss (measured 5e-7); three steps at lr 0.01 move it by
// more than 1e-2, so a wrong gradient shows. A wrong kernel gives errors of order 1.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { buildModel } from '../../../src/ml/models/index.js';
import { sigmoidLoss } from '../../../src/ml/train/losses.js';
import { random } from './kernel-compare.js';
import { scaledError } from './kernel-recorder.js';
import { titled, webgpuSkipReason } from './webgpu-helpers.js';

const SIZE = 16;
const BATCH = 2;
const CLASSES = 3;
const STEPS = 3;

interface Run {
  grads: Map<string, Float32Array>;
  losses: number[];
}

async function train(backend: string): Promise<Run> {
  await tf.setBackend(backend);
  const model = buildModel({ arch: 'chestnet_s', inputSize: SIZE, numClasses: CLASSES, seed: 11 });
  const x = tf.tensor4d(random([BATCH, SIZE, SIZE, 1], 3), [BATCH, SIZE, SIZE, 1]);
  const y = tf.tensor2d(
    Array.from({ length: BATCH * CLASSES }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0)),
    [BATCH, CLASSES],
  );
  const lossFn = sigmoidLoss([1, 1, 1]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const objective = (): tf.Scalar => lossFn(y, model.apply(x, { training: true }) as tf.Tensor2D);
  const { grads } = tf.variableGrads(objective, vars);
  // Keyed by the layer's weight name: variable names get a suffix when a model is built twice.
  const gradValues = new Map<string, Float32Array>();
  for (const [i, w] of model.trainableWeights.entries()) {
    gradValues.set(w.originalName, (await grads[vars[i].name].data()) as Float32Array);
  }
  tf.dispose(Object.values(grads));
  const opt = tf.train.sgd(0.01);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const cost = opt.minimize(objective, true, vars)!;
    losses.push((await cost.data())[0]);
    cost.dispose();
  }
  tf.dispose([x, y]);
  model.dispose();
  opt.dispose();
  return { grads: gradValues, losses };
}

describe.skipIf(webgpuSkipReason !== undefined)('webgpu training steps', () => {
  let cpu: Run;
  let gpu: Run;
  beforeAll(async () => {
    await initRuntime({ backend: 'webgpu' });
    cpu = await train('cpu');
    gpu = await train('webgpu');
  }, 300_000);
  afterAll(async () => {
    await tf.setBackend('webgpu');
  });

  it(titled('chestnet_s: first-step gradients of every variable match cpu'), () => {
    expect([...gpu.grads.keys()]).toEqual([...cpu.grads.keys()]);
    const largest = Math.max(
      ...[...cpu.grads.values()].flatMap((g) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0)),
    );
    const bad: string[] = [];
    let worst = 0;
    for (const [name, expected] of cpu.grads) {
      const actual = gpu.grads.get(name)!;
      const biasBeforeNorm = /_conv\/bias/.test(name);
      const error = biasBeforeNorm ? scaledError(actual, expected, largest) : scaledError(actual, expected);
      const tolerance = 1e-4;
      worst = Math.max(worst, error / tolerance);
      if (!(error < tolerance)) bad.push(`${name}: ${error.toExponential(2)} (tolerance ${tolerance})`);
    }
    process.stderr.write(`webgpu chestnet_s gradients: worst error ${worst.toFixed(3)} of its tolerance\n`);
    expect(bad).toEqual([]);
  });

  it(titled('chestnet_s: the losses of three SGD steps match cpu'), () => {
    expect(gpu.losses).toHaveLength(STEPS);
    const relative = cpu.losses.map((l, i) => Math.abs(gpu.losses[i] - l) / cpu.losses[0]);
    process.stderr.write(`webgpu chestnet_s losses: cpu ${cpu.losses.join(', ')}; webgpu ${gpu.losses.join(', ')}\n`);
    expect(relative.filter((r) => !(r < 1e-5))).toEqual([]);
    expect(Math.abs(cpu.losses[STEPS - 1] - cpu.losses[0])).toBeGreaterThan(1e-2); // the steps do move the loss
  });
});

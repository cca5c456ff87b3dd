// Transfer learning: layers matched by name and shape are loaded, an RGB first conv is averaged to one
// channel, everything else is reported as skipped and keeps its initialisation.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../../src/ml/io/model-files.js';
import { buildModel, loadPretrained } from '../../../src/ml/models/index.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';

let dir: string;
beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  await tf.setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'xpipe-pretrained-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An "ImageNet-like" source: RGB first conv + bn named like chestnet_s, and an fc1 of another size. */
async function saveSource(path: string): Promise<tf.LayersModel> {
  const input = tf.input({ shape: [16, 16, 3] });
  let x = tf.layers
    .conv2d({
      filters: 32,
      kernelSize: 3,
      padding: 'same',
      name: 'block1_conv',
      kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
      biasInitializer: tf.initializers.randomNormal({ seed: 2 }),
    })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ name: 'block1_bn', gammaInitializer: tf.initializers.randomUniform({ seed: 3 }) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 7, name: 'fc1' }).apply(x) as tf.SymbolicTensor;
  const source = tf.model({ inputs: input, outputs: x });
  await saveModel(source, path);
  return source;
}

describe('loadPretrained', () => {
  it('loads matching layers, averages an RGB first conv, reports the rest', async () => {
    const path = join(dir, 'source');
    const source = await saveSource(path);
    const model = buildModel({ arch: 'chestnet_s', inputSize: 16, numClasses: 2, seed: 1 });
    const fc1Before = model.getLayer('fc1').getWeights()[0].dataSync().slice();
    const lines: string[] = [];
    const report = await loadPretrained(model, path, (line) => lines.push(line));
    expect(report.loaded).toEqual(['block1_conv', 'block1_bn']);
    expect(report.skipped).toContain('fc1');
    expect(report.skipped).toContain('block2_conv');
    expect(report.loaded.length + report.skipped.length).toBe(model.layers.filter((l) => l.weights.length > 0).length);
    expect(lines).toContain(
      'pretrained: skipped fc1 (kernel: shape [8192,7] ≠ [512,512])'.replace('8192', String(16 * 16 * 32)),
    );
    expect(lines.at(-1)).toBe(`pretrained: loaded 2 layer(s) from ${path}, skipped ${report.skipped.length}`);

    const [srcKernel, srcBias] = source.getLayer('block1_conv').getWeights();
    const [kernel, bias] = model.getLayer('block1_conv').getWeights();
    expect(kernel.shape).toEqual([3, 3, 1, 32]);
    expect(Array.from(kernel.dataSync())).toEqual(Array.from(tf.mean(srcKernel, 2, true).dataSync()));
    expect(Array.from(bias.dataSync())).toEqual(Array.from(srcBias.dataSync()));
    expect(Array.from(model.getLayer('block1_bn').getWeights()[0].dataSync())).toEqual(
      Array.from(source.getLayer('block1_bn').getWeights()[0].dataSync()),
    );
    const fc1After = model.getLayer('fc1').getWeights()[0].dataSync() as Float32Array;
    expect(
      Buffer.from(fc1After.buffer, fc1After.byteOffset, fc1After.byteLength).equals(
        Buffer.from(fc1Before.buffer, fc1Before.byteOffset, fc1Before.byteLength),
      ),
    ).toBe(true);
  });
});

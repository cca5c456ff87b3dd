// Penultimate-layer extraction on the real zoo: the layer feeding the logits for every architecture, and
// features/probabilities that equal what the model computes on its own.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractEmbeddings, penultimateLayer } from '../../../src/ml/embed/features.js';
import { memorySource } from '../../../src/ml/data/shard-reader.js';
import { predictProbabilities } from '../../../src/ml/eval/predict.js';
import { ARCHS, buildModel, MIN_INPUT_SIZE } from '../../../src/ml/models/index.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import type { SplitData } from '../../../src/ml/data/dataset.js';
import { makeInputs } from '../../../src/ml/data/dataset.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});

const EXPECTED: Record<string, string> = {
  chestnet_s: 'dropout2',
  resnet18: 'avgpool',
  resnet34: 'avgpool',
  mobilenet_v3_small: 'head_dropout',
  efficientnet_b0: 'head_dropout',
};

function split(n: number, size: number): SplitData {
  const pixels = new Uint8Array(n * size * size).map((_, i) => (i * 37) % 251);
  return {
    split: 'test',
    n,
    height: size,
    width: size,
    pixels,
    labels: new Float32Array(n * 2),
    numLabels: 2,
    ids: Array.from({ length: n }, (_, i) => `${i}.png`),
    patientIds: Array.from({ length: n }, (_, i) => `${i}`),
    masks: null,
  };
}

describe('penultimateLayer', () => {
  it.each(ARCHS)('%s: the flat feature vector that feeds the logits', (arch) => {
    const model = buildModel({ arch, inputSize: MIN_INPUT_SIZE[arch], numClasses: 2, seed: 1 });
    expect(penultimateLayer(model).name).toBe(EXPECTED[arch]);
    model.dispose();
  });

  it('rejects a model without a dense head', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const out = tf.layers.globalAveragePooling2d({}).apply(input) as tf.SymbolicTensor;
    expect(() => penultimateLayer(tf.model({ inputs: input, outputs: out }))).toThrow(/no dense output layer/);
  });
});

describe('extractEmbeddings', () => {
  it('returns the features of the chosen images and the same probabilities as the evaluation', async () => {
    const model = buildModel({ arch: 'chestnet_s', inputSize: 16, numClasses: 2, seed: 3 });
    const data = split(7, 16);
    const stats = { mean: 0.5, std: 0.25 };
    const indices = [1, 4, 6];
    const emb = await extractEmbeddings(model, data, indices, stats, 'multilabel', 2);
    expect(emb.layer).toBe('dropout2');
    expect(emb.dim).toBe(512);
    const features = tf.model({
      inputs: model.inputs,
      outputs: model.getLayer('dropout2').output,
    });
    const x = makeInputs(data, indices, stats);
    const expected = (await (features.predict(x) as tf.Tensor).data()) as Float32Array;
    expect(Array.from(emb.features)).toEqual(Array.from(expected));
    const probs = await predictProbabilities(model, memorySource(data), stats, 'multilabel');
    const chosen = indices.flatMap((i) => [probs[i * 2], probs[i * 2 + 1]]);
    Array.from(emb.probs).forEach((p, k) => expect(p).toBeCloseTo(chosen[k], 5));
    tf.dispose(x);
    model.dispose();
  });
});

// Every zoo architecture: option validation, logits shape, Grad-CAM layer, and one training step on wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHS, buildModel, lastConvLayerName, MIN_INPUT_SIZE, type Arch } from '../../../src/ml/models/index.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
  await tf.setBackend('wasm');
});

describe('buildModel options', () => {
  it('rejects bad options with the standard wording', () => {
    const ok = { arch: 'chestnet_s' as Arch, inputSize: 32, numClasses: 2, seed: 1 };
    expect(() => buildModel({ ...ok, arch: 'vgg16' as Arch })).toThrow(
      "expected one of chestnet_s | resnet18 | resnet34 | mobilenet_v3_small | efficientnet_b0 for model.arch, got 'vgg16' (string)",
    );
    expect(() => buildModel({ ...ok, numClasses: 0 })).toThrow(
      "expected positive integer for numClasses, got '0' (number)",
    );
    expect(() => buildModel({ ...ok, arch: 'resnet18', inputSize: 16 })).toThrow(
      "expected integer >= 32 (resnet18) for inputSize, got '16' (number)",
    );
  });
});

describe.each(ARCHS.map((arch) => ({ arch })))('$arch', ({ arch }) => {
  const size = Math.max(MIN_INPUT_SIZE[arch], 32);

  it('outputs logits of shape [batch, numClasses], single-channel input, Grad-CAM layer is a feature map', () => {
    const model = buildModel({ arch, inputSize: size, numClasses: 3, seed: 7 });
    expect(model.inputs[0].shape).toEqual([null, size, size, 1]);
    const y = model.predict(tf.zeros([2, size, size, 1])) as tf.Tensor;
    expect(y.shape).toEqual([2, 3]);
    expect(model.layers.at(-1)!.name).toBe('logits');
    expect((model.layers.at(-1)!.getConfig() as { activation?: string }).activation).toBe('linear');
    const cam = model.getLayer(lastConvLayerName(model));
    expect((cam.outputShape as number[]).length).toBe(4);
    tf.dispose(y);
    model.dispose();
  });

  it('trains one step on wasm with a finite loss that changes the weights', async () => {
    const model = buildModel({ arch, inputSize: size, numClasses: 2, seed: 3 });
    model.compile({ optimizer: tf.train.sgd(0.01), loss: tf.losses.sigmoidCrossEntropy });
    const before = model.getLayer('logits').getWeights()[0].dataSync().slice();
    const x = tf.randomUniform([2, size, size, 1], 0, 1, 'float32', 5);
    const y = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const history = await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    const after = model.getLayer('logits').getWeights()[0].dataSync();
    expect(after).not.toEqual(before);
    tf.dispose([x, y]);
    model.dispose();
  });
});

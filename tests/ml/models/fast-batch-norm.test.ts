// The fast batch-norm layer equals the stock tfjs layer: training output, gradients, moving statistics,
// inference, and it serialises as the stock class.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastBatchNorm } from '../../../src/ml/models/fast-batch-norm.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';

beforeAll(async () => {
  await initRuntime({ backend: 'wasm' });
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

function maxRelDiff(a: tf.Tensor, b: tf.Tensor): number {
  const av = a.dataSync();
  const bv = b.dataSync();
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < bv.length; i++) {
    diff = Math.max(diff, Math.abs(av[i]! - bv[i]!));
    scale = Math.max(scale, Math.abs(bv[i]!));
  }
  return diff / scale;
}

/** Output, d(loss)/d(x, gamma, beta) and the moving stats after two training calls of `layer`. */
function trainOnce(layer: tf.layers.Layer, x: tf.Tensor, w: tf.Tensor): tf.Tensor[] {
  const y = layer.apply(x, { training: true }) as tf.Tensor;
  const [gamma, beta] = layer.trainableWeights.map((v) => v.read());
  const [dx, dg, db] = tf.grads((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    layer.trainableWeights[0]!.write(g);
    layer.trainableWeights[1]!.write(b);
    return tf.sum(tf.mul(layer.apply(xi, { training: true }) as tf.Tensor, w));
  })([x, gamma!, beta!]);
  const [movingMean, movingVariance] = layer.getWeights().slice(2);
  return [y, dx!, dg!, db!, movingMean!, movingVariance!];
}

describe.each(['cpu', 'wasm'])('fast batch-norm on %s', (backend) => {
  it('matches tf.layers.batchNormalization in training (output, gradients, moving stats) and inference', async () => {
    await tf.setBackend(backend);
    const shape = [3, 5, 7, 4];
    const x = tf.randomNormal(shape, 2, 3, 'float32', 1);
    const w = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const gamma = tf.randomUniform([4], 0.5, 1.5, 'float32', 3);
    const beta = tf.randomNormal([4], 0, 1, 'float32', 4);
    const make = (fast: boolean): tf.layers.Layer => {
      const args = { momentum: 0.9, epsilon: 1e-3, inputShape: shape.slice(1) };
      const layer = fast ? fastBatchNorm(args) : tf.layers.batchNormalization(args);
      layer.build([null, ...shape.slice(1)]);
      layer.setWeights([gamma, beta, tf.zeros([4]), tf.ones([4])]);
      return layer;
    };
    const stock = make(false);
    const fast = make(true);
    expect(fast.getClassName()).toBe('BatchNormalization');
    const expected = trainOnce(stock, x, w);
    const actual = trainOnce(fast, x, w);
    expected.forEach((e, i) => expect(maxRelDiff(actual[i]!, e), `output ${i}`).toBeLessThan(1e-4));
    const inference = maxRelDiff(fast.apply(x, { training: false }) as tf.Tensor, stock.apply(x, { training: false }) as tf.Tensor);
    expect(inference).toBeLessThan(1e-5);
  });
});

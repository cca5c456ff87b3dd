// Explanation maths: Grad-CAM equals the class-activation map for conv → global-average-pool → dense,
// the model split replays residual branches, Integrated Gradients satisfies completeness, lung shares
// and case selection match hand counts.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradCam, splitAt } from '../../../src/ml/explain/grad-cam.js';
import { integratedGradients } from '../../../src/ml/explain/integrated-gradients.js';
import { lungShare, maskArea, templateLungMask } from '../../../src/ml/explain/lung-share.js';
import { selectCases } from '../../../src/ml/explain/select.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function gapModel(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1] });
  const conv = tf.layers
    .conv2d({
      name: 'feat',
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
    })
    .apply(input) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, kernelInitializer: init(2) }).apply(gap) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

describe('Grad-CAM', () => {
  it('equals the normalised class activation map Σ_k w_k A_k for a GAP + dense head', () => {
    const model = gapModel();
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 1], 0, 1, 'float32', 3);
    const split = splitAt(model, 'feat');
    const cam = gradCam(split, x, [1], 2).arraySync()[0];
    const a = (
      tf.model({ inputs: model.inputs, outputs: model.getLayer('feat').output }).predict(x) as tf.Tensor4D
    ).arraySync()[0];
    const kernel = (model.layers[model.layers.length - 1].getWeights()[0] as tf.Tensor2D).arraySync();
    const manual = a.map((row) =>
      row.map((px) =>
        Math.max(
          0,
          px.reduce((s, v, k) => s + v * kernel[k][1], 0),
        ),
      ),
    );
    const max = Math.max(...manual.flat());
    for (let y = 0; y < 8; y++) for (let x2 = 0; x2 < 8; x2++) expect(cam[y][x2]).toBeCloseTo(manual[y][x2] / max, 4);
  });

  it('works for a single-logit (binary) head: the CAM of the one output, as for a wider head', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const conv = tf.layers
      .conv2d({
        name: 'feat',
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: init(1),
      })
      .apply(input) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 1, kernelInitializer: init(2) }).apply(gap) as tf.SymbolicTensor,
    });
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 1], 0, 1, 'float32', 3);
    const cam = gradCam(splitAt(model, 'feat'), x, [0, 0], 1);
    expect(cam.shape).toEqual([2, 8, 8]);
    const a = (
      tf.model({ inputs: model.inputs, outputs: model.getLayer('feat').output }).predict(x) as tf.Tensor4D
    ).arraySync()[1];
    const kernel = (model.layers[model.layers.length - 1].getWeights()[0] as tf.Tensor2D).arraySync();
    const manual = a.map((row) =>
      row.map((px) =>
        Math.max(
          0,
          px.reduce((s, v, k) => s + v * kernel[k][0], 0),
        ),
      ),
    );
    const max = Math.max(...manual.flat());
    const got = cam.arraySync()[1];
    for (let y = 0; y < 8; y++)
      for (let x2 = 0; x2 < 8; x2++) expect(got[y][x2]).toBeCloseTo(max > 0 ? manual[y][x2] / max : 0, 4);
  });

  it('replays a residual branch after the chosen layer with the shortcut held constant', () => {
    const input = tf.input({ shape: [8, 8, 1] });
    const c1 = tf.layers
      .conv2d({ name: 'c1', filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: init(4) })
      .apply(input) as tf.SymbolicTensor;
    const c2 = tf.layers
      .conv2d({ name: 'c2', filters: 2, kernelSize: 3, padding: 'same', kernelInitializer: init(5) })
      .apply(c1) as tf.SymbolicTensor;
    const sum = tf.layers.add({}).apply([c1, c2]) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({}).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 1, kernelInitializer: init(6) }).apply(gap) as tf.SymbolicTensor,
    });
    const x = tf.randomUniform<tf.Rank.R4>([2, 8, 8, 1], 0, 1, 'float32', 7);
    const split = splitAt(model, 'c2');
    const { a, constants } = split.features(x);
    expect([...constants.keys()]).toEqual(['c1']);
    const replayed = split.head(a, constants).arraySync();
    const direct = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    replayed.forEach((row, i) => expect(row[0]).toBeCloseTo(direct[i][0], 5));
  });
});

describe('Integrated Gradients', () => {
  it('attributions sum to f(x) − f(baseline) (completeness)', () => {
    const model = gapModel();
    const x = tf.randomUniform<tf.Rank.R4>([1, 8, 8, 1], 0, 1, 'float32', 9);
    const baseline = -0.5;
    const ig = integratedGradients(model, x, 0, { steps: 200, baseline, batchSize: 50 });
    const total = ig.sum().dataSync()[0];
    const fx = (model.predict(x) as tf.Tensor).dataSync()[0];
    const fb = (model.predict(tf.fill([1, 8, 8, 1], baseline)) as tf.Tensor).dataSync()[0];
    expect(total).toBeCloseTo(fx - fb, 2);
    expect(ig.shape).toEqual([8, 8]);
  });
});

describe('lung share and selection', () => {
  it('is the share of positive attribution inside the mask, null without any', () => {
    const attribution = new Float32Array([2, -5, 1, 1]);
    expect(lungShare(attribution, [1, 1, 0, 1])).toBeCloseTo(3 / 4, 12);
    expect(lungShare(new Float32Array([-1, 0]), [1, 1])).toBeNull();
  });

  it('the template mask covers two lung fields, about a third of the image', () => {
    const mask = templateLungMask(64, 64);
    expect(maskArea(mask)).toBeGreaterThan(0.3);
    expect(maskArea(mask)).toBeLessThan(0.45);
    expect(mask[32 * 64 + 32]).toBe(0); // mediastinum
    expect(mask[32 * 64 + 19]).toBe(1); // left lung field
  });

  it('selects top true positives, worst false positives and worst false negatives', () => {
    const scores = [0.95, 0.9, 0.8, 0.6, 0.3, 0.2, 0.1];
    const truth = [1, 0, 1, 0, 1, 1, 0];
    const cases = selectCases(scores, truth, 0.5, 1);
    expect(cases.map((c) => [c.kind, c.index])).toEqual([
      ['true_positive', 0],
      ['false_positive', 1],
      ['false_negative', 5],
    ]);
  });
});

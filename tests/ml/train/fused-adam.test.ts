// The fused Adam step (src/ml/train/fused-adam.ts on the native XpipeAdamUpdate kernel) against TF.js's own
// AdamOptimizer: the same gradients for several steps give bit-identical weights, moments and β powers, and
// the optimizer's saved state has the same names and values. Variables above and below the size where the
// native elementwise ops take over, gradients as a list and as a map. Skipped, saying so, only
// where the native addon is not built; CI builds it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { loadOnednn } from '../../../src/ml/runtime/onednn/addon.js';
import { fusedAdamAvailable, useFusedAdam } from '../../../src/ml/train/fused-adam.js';

const native = loadOnednn();
if (!native.ok) console.warn(`fused-adam.test.ts skipped: the oneDNN addon is ${native.reason}`);

beforeAll(async () => {
  if (native.ok) await initRuntime({ backend: 'wasm', kernels: 'onednn', threads: 2 });
});

function values(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

async function train(fused: boolean): Promise<Float32Array[]> {
  const shapes = [[300, 257], [7, 5], [64]];
  const vars = shapes.map((shape, k) =>
    tf.variable(tf.tensor(values(k + 1, tf.util.sizeFromShape(shape)), shape), true, `w${k}-${String(fused)}`),
  );
  const optimizer = tf.train.adam(0.003, 0.9, 0.999, 1e-7);
  if (fused) useFusedAdam(optimizer);
  for (let step = 0; step < 4; step++) {
    const grads = vars.map((v, k) => ({ name: v.name, tensor: tf.tensor(values(100 * step + k, v.size), v.shape) }));
    // both call forms of applyGradients: a list, and a name → tensor map
    const map: tf.NamedTensorMap = Object.fromEntries(grads.map((g) => [g.name, g.tensor]));
    if (step % 2 === 0) optimizer.applyGradients(grads);
    else optimizer.applyGradients(map as unknown as Parameters<typeof optimizer.applyGradients>[0]);
    tf.dispose(grads.map((g) => g.tensor));
  }
  const state = await optimizer.getWeights();
  const out = [
    ...vars.map((v) => v.dataSync() as Float32Array),
    ...state.map((w) => w.tensor.dataSync() as Float32Array),
  ];
  expect(state.map((w) => w.name.replace(`-${String(fused)}`, ''))).toEqual([
    'iter',
    'w0/m',
    'w1/m',
    'w2/m',
    'w0/v',
    'w1/v',
    'w2/v',
  ]);
  return out;
}

(native.ok ? describe : describe.skip)('fused Adam step', () => {
  it('is registered with the native kernels', () => {
    expect(fusedAdamAvailable()).toBe(true);
  });

  it('gives bit-identical weights and optimizer state to TF.js AdamOptimizer', async () => {
    const stock = await train(false);
    const fused = await train(true);
    expect(fused.length).toBe(stock.length);
    for (let i = 0; i < stock.length; i++) {
      const a = new Uint32Array(stock[i].buffer, stock[i].byteOffset, stock[i].length);
      const b = new Uint32Array(fused[i].buffer, fused[i].byteOffset, fused[i].length);
      expect(
        b.findIndex((bits, j) => bits !== a[j]),
        `tensor ${i}`,
      ).toBe(-1);
    }
  });
});

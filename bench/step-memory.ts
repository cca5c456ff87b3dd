/**
 * One model's training step at a given size (run by hand, not a test): 3 steps of AdamW on random data
 * through the pipeline's own optimizer (the fused Adam where the native kernels are built), printing the
 * step times, img/s of the last step and the process's peak RSS as one JSON line. The figures behind the
 * NIH-size table in docs/data.md.
 *
 *   npx tsx bench/step-memory.ts <chestnet_s|resnet18|…> <size> <batch>
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, type Arch } from '../src/ml/models/index.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { makeOptimizer } from '../src/ml/train/optimizer.js';
const [arch, size, batch] = [process.argv[2] as Arch, Number(process.argv[3]), Number(process.argv[4])];
const info = await initRuntime({});
const model = buildModel({ arch, inputSize: size, numClasses: 14, seed: 1 });
const opt = makeOptimizer('adamw', 1e-3, 1e-4, 0.9);
const x = tf.randomNormal([batch, size, size, 1]);
const y = tf.randomUniform([batch, 14]).round();
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  const cost = opt.optimizer.minimize(
    () => tf.mean<tf.Scalar>(tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor)),
    true,
  );
  opt.afterStep(model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val)); // the LayerVariables' tf.Variables
  cost!.dataSync();
  cost!.dispose();
  times.push(performance.now() - t);
}
console.log(
  JSON.stringify({
    arch,
    size,
    batch,
    kernels: info.kernels,
    params: model.countParams(),
    stepMs: times.map(Math.round),
    imgS: +((batch * 1000) / times[2]).toFixed(1),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
process.exit(0);

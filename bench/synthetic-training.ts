/**
 * The training workload the throughput benches time (train-throughput, profile-step, webgpu): a model of the
 * zoo with 14 outputs, Adam at 1e-3 through the pipeline's own optimizer factory (so the fused Adam step runs
 * where the native kernels are built, as in `train`), and one fixed random batch, so every bench measures the
 * same step.
 */
import * as tf from '@tensorflow/tfjs';
import { buildModel, type Arch } from '../src/ml/models/index.js';
import { makeOptimizer } from '../src/ml/train/optimizer.js';

export interface SyntheticTraining {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  /** The fixed input batch, [batch, size, size, 1]. */
  x: tf.Tensor4D;
  y: tf.Tensor2D;
  /** One optimisation step; returns the loss (the caller reads it back, which waits for the work, and disposes it). */
  minimize: () => tf.Scalar;
  dispose: () => void;
}

export function syntheticTraining(arch: Arch, size: number, batch: number): SyntheticTraining {
  const model = buildModel({ arch, inputSize: size, numClasses: 14, seed: 1 });
  const optimizer = makeOptimizer('adam', 1e-3, 0, 0).optimizer;
  const x = tf.randomUniform<tf.Rank.R4>([batch, size, size, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform<tf.Rank.R2>([batch, 14], 0, 1, 'float32', 2).round();
  const minimize = (): tf.Scalar =>
    optimizer.minimize(
      () => tf.losses.sigmoidCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor),
      true,
    )!;
  const dispose = (): void => {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  };
  return { model, optimizer, x, y, minimize, dispose };
}

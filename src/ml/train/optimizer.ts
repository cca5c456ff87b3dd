/**
 * Optimisers with weight decay and a settable learning rate.
 *
 * - `adam`: Adam with L2 weight decay added to the loss (coupled, as in classic Keras).
 * - `adamw`: Adam with decoupled weight decay (w ← w − lr·wd·w after each step, Loshchilov & Hutter).
 * - `sgd`: SGD with momentum (0 = plain SGD) and L2 weight decay added to the loss.
 * Decay applies to kernels (rank ≥ 2), not to biases or batch-norm parameters.
 *
 * Owns: creating the tfjs optimiser, changing its learning rate, saving/restoring its slots.
 * Does not own: the schedule (schedule.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { StoredTensor } from './checkpoint.js';
import type { OptimizerName } from './options.js';
import { fusedAdamAvailable, useFusedAdam } from './fused-adam.js';

export interface TrainOptimizer {
  readonly name: OptimizerName;
  readonly optimizer: tf.Optimizer;
  setLearningRate(lr: number): void;
  /** The L2 penalty to add to the loss (zero tensor for adamw). Call inside the loss closure. */
  penalty(vars: readonly tf.Variable[]): tf.Scalar;
  /** Decoupled decay after a step (adamw only). */
  afterStep(vars: readonly tf.Variable[]): void;
  save(): Promise<StoredTensor[]>;
  restore(tensors: StoredTensor[]): Promise<void>;
  dispose(): void;
}

function decayed(vars: readonly tf.Variable[]): tf.Variable[] {
  return vars.filter((v) => v.rank >= 2);
}

export function makeOptimizer(name: OptimizerName, lr: number, weightDecay: number, momentum: number): TrainOptimizer {
  let currentLr = lr;
  const optimizer: tf.Optimizer =
    name === 'sgd' ? (momentum > 0 ? tf.train.momentum(lr, momentum) : tf.train.sgd(lr)) : tf.train.adam(lr);
  if (name !== 'sgd' && fusedAdamAvailable()) useFusedAdam(optimizer);
  return {
    name,
    optimizer,
    setLearningRate(value: number) {
      currentLr = value;
      // (instanceof is useless here: tf.Optimizer overrides Symbol.hasInstance for every optimiser.)
      if (name === 'sgd') (optimizer as tf.SGDOptimizer).setLearningRate(value);
      // AdamOptimizer reads its (protected) learningRate field on every step.
      else (optimizer as unknown as { learningRate: number }).learningRate = value;
    },
    penalty(vars) {
      if (name === 'adamw' || weightDecay === 0) return tf.scalar(0);
      return tf.mul<tf.Scalar>(0.5 * weightDecay, tf.addN(decayed(vars).map((v) => tf.sum(tf.square(v)))));
    },
    afterStep(vars) {
      if (name !== 'adamw' || weightDecay === 0) return;
      tf.tidy(() => {
        for (const v of decayed(vars)) v.assign(tf.mul(v, 1 - currentLr * weightDecay));
      });
    },
    async save() {
      const named = await optimizer.getWeights();
      const out: StoredTensor[] = [];
      for (const { name: n, tensor } of named) {
        out.push({ name: n, shape: tensor.shape, data: Float32Array.from(await tensor.data()) });
        // getWeights() makes a fresh `iter` scalar on every call; the slot variables belong to the optimiser.
        if (n === 'iter') tensor.dispose();
      }
      return out;
    },
    async restore(tensors) {
      const named = tensors.map((t) => ({
        name: t.name,
        tensor: tf.tensor(t.data, t.shape, t.name === 'iter' ? 'int32' : 'float32'),
      }));
      await optimizer.setWeights(named);
      // setWeights copies each value into a new variable (reference-counted data), so ours can go.
      tf.dispose(named.map((n) => n.tensor));
    },
    dispose() {
      optimizer.dispose();
    },
  };
}

/**
 * Adam's update as one kernel per variable, where the runtime registered `XpipeAdamUpdate` (the native
 * kernels). TF.js's AdamOptimizer runs ~14 ops per variable inside ONE tidy over all variables, so every
 * intermediate of every variable stays allocated until the step ends: for ChestNetS at 128² (a 16.8M-weight
 * dense layer) that was ~0.8 GB of the training process's peak memory, and ~15% of a step's time. The kernel
 * does the same float32 arithmetic in the same order, so the weights are bit-identical (tested); the
 * optimizer's state (slots, β powers, iterations) is the stock one's, so save/restore are unchanged.
 *
 * Owns: replacing `applyGradients` of one Adam optimizer. Does not own: the kernel (src/ml/runtime/onednn).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_UPDATE } from '../runtime/kernel-names.js';

/** The stock optimizer's fields this code reads (protected in the typings, stable across tfjs 4.x). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

/** True when the active backend has the fused kernel. */
export function fusedAdamAvailable(): boolean {
  return tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
}

/** Makes `optimizer` (a `tf.train.adam` instance) step through the fused kernel. */
export function useFusedAdam(optimizer: tf.Optimizer): void {
  const self = optimizer as unknown as AdamInternals;
  const slot = (name: string, value: tf.Variable): { originalName: string; variable: tf.Variable } => ({
    originalName: name,
    variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
  });
  optimizer.applyGradients = (variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void => {
    const named = Array.isArray(variableGradients);
    const names = named ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      const oneMinusAccBeta1 = tf.sub(1, self.accBeta1);
      const oneMinusAccBeta2 = tf.sub(1, self.accBeta2);
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= slot(`${name}/m`, value);
        self.accumulatedSecondMoment[i] ??= slot(`${name}/v`, value);
        const gradient = named ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        // One tidy per variable: its three outputs are assigned, nothing else outlives the variable's step.
        tf.tidy(() => {
          const m = self.accumulatedFirstMoment[i]!.variable;
          const v = self.accumulatedSecondMoment[i]!.variable;
          const [newValue, newM, newV] = tf
            .engine()
            .runKernel(
              ADAM_UPDATE,
              { value, m, v, gradient, oneMinusAccBeta1, oneMinusAccBeta2 },
              { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: self.learningRate },
            ) as unknown as tf.Tensor[];
          m.assign(newM);
          v.assign(newV);
          value.assign(newValue);
        });
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    self.incrementIterations();
  };
}

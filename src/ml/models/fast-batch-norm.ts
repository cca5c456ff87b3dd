/**
 * Batch normalisation whose TRAINING step is one fused op with a closed-form gradient.
 *
 * Why: tfjs-layers' BatchNormalization trains through `tf.moments` + `FusedBatchNorm`, whose gradients
 * materialise a `Tile` of the input size and reduce over N·H·W with `Sum`/`Mean`, which the wasm backend
 * implements by transposing the whole tensor first; on ChestNetS that was a third of a training step.
 * Here the per-channel sums are one pass (the runtime's `XpipeChannelSum` kernel where registered, i.e. on
 * wasm; a GEMV `ones[1,R] @ x[R,C]` elsewhere) and the backward pass is
 * dx = γ·r/R · (R·dy − Σdy − x̂·Σ(dy·x̂)), dγ = Σ(dy·x̂), dβ = Σdy (r = 1/√(σ²+ε)).
 *
 * Serialisation is unchanged: the class name is `BatchNormalization`, the config and the weights
 * (gamma, beta, moving_mean, moving_variance) are the stock layer's, and inference is the stock code path.
 * `registerCustomLayers()` maps `BatchNormalization` to this class when the project loads a model, so a
 * loaded model trains fast too; any other TF.js reader loads it as the stock layer.
 *
 * Owns: the training-mode forward/backward and the moving-average update (same rule as the stock layer).
 * Falls back to the stock code for anything but channels-last with both centre and scale.
 */
import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_BACKWARD, BATCH_NORM_FORWARD, CHANNEL_SUM } from '../runtime/kernel-names.js';

type BatchNormArgs = NonNullable<Parameters<typeof tf.layers.batchNormalization>[0]>;
type BatchNormLayer = ReturnType<typeof tf.layers.batchNormalization>;
type BatchNormClass = (new (args?: BatchNormArgs) => BatchNormLayer) & { className: string };

/** Stock-layer internals we read (private in the typings, stable in tfjs-layers 4.x). */
interface Internals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

/** Per-channel sums over all leading axes: x[..., C] → [C] (the runtime's kernel when registered, else a GEMV). */
function channelSum(x: tf.Tensor): tf.Tensor1D {
  if (tf.getKernel(CHANNEL_SUM, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel<tf.Tensor1D>(CHANNEL_SUM, { x });
  }
  const c = x.shape[x.rank - 1];
  const rows = x.size / c;
  return tf.matMul(tf.ones([1, rows]), tf.reshape(x, [rows, c])).reshape<tf.Tensor1D>([c]);
}

/** The same as {@link normalizeTraining}, each direction one native kernel (where the runtime registered them). */
function normalizeTrainingFused(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  const op = tf.customGrad((...args: (tf.Tensor | ((saved: tf.Tensor[]) => void))[]) => {
    const [xi, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as (saved: tf.Tensor[]) => void;
    const [value, xhat, m, v, rstd] = tf
      .engine()
      .runKernel(BATCH_NORM_FORWARD, { x: xi, gamma: g, beta: b }, { epsilon }) as unknown as tf.Tensor[];
    mean = tf.keep(m as tf.Tensor1D);
    variance = tf.keep(v as tf.Tensor1D);
    save([xhat, rstd, g]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sXhat, sR, sG] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
      return tf
        .engine()
        .runKernel(BATCH_NORM_BACKWARD, { dy, xhat: sXhat, gamma: sG, rstd: sR }) as unknown as tf.Tensor[];
    };
    return { value: value, gradFunc };
  });
  const y = op(x, gamma, beta);
  return { y, mean, variance };
}

/** Training-mode normalisation with batch statistics and the closed-form gradient. */
function normalizeTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const rows = x.size / x.shape[x.rank - 1];
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  const op = tf.customGrad((...args: (tf.Tensor | ((saved: tf.Tensor[]) => void))[]) => {
    const [xi, g, b] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as (saved: tf.Tensor[]) => void;
    mean = tf.keep(tf.div(channelSum(xi), rows));
    const centered = tf.sub(xi, mean);
    variance = tf.keep(tf.div(channelSum(tf.square(centered)), rows));
    const r = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(centered, r);
    save([xhat, r, g]);
    const value = tf.add(tf.mul(xhat, g), b);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [sXhat, sR, sG] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
      const dBeta = channelSum(dy);
      const dGamma = channelSum(tf.mul(dy, sXhat));
      const k = tf.mul(sG, sR);
      const a = tf.div(tf.mul(k, dBeta), -rows);
      const bb = tf.div(tf.mul(k, dGamma), -rows);
      const dx = tf.add(tf.add(tf.mul(dy, k), tf.mul(sXhat, bb)), a);
      return [dx, dGamma, dBeta];
    };
    return { value, gradFunc };
  });
  const y = op(x, gamma, beta);
  return { y, mean, variance };
}

let fastClass: BatchNormClass | undefined;

/** The fast batch-norm class (created on first use from the stock class of the loaded tfjs-layers). */
export function fastBatchNormClass(): BatchNormClass {
  if (fastClass !== undefined) return fastClass;
  const Stock = tf.layers.batchNormalization({}).constructor as BatchNormClass;
  class FastBatchNormalization extends Stock {
    static override className = 'BatchNormalization';
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
      const self = this as unknown as Internals;
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const lastAxis = self.axis === -1 || self.axis === x.rank - 1;
      if (kwargs.training !== true || !lastAxis || !self.center || !self.scale) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const fused = tf.getKernel(BATCH_NORM_FORWARD, tf.getBackend()) !== undefined;
        const { y, mean, variance } = (fused ? normalizeTrainingFused : normalizeTraining)(
          x,
          self.gamma.read() as tf.Tensor1D,
          self.beta.read() as tf.Tensor1D,
          self.epsilon,
        );
        for (const [variable, value] of [
          [self.movingMean, mean],
          [self.movingVariance, variance],
        ] as const) {
          tf.tidy(() => {
            const old = variable.read();
            variable.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - self.momentum)));
          });
        }
        tf.dispose([mean, variance]);
        return y;
      });
    }
  }
  fastClass = FastBatchNormalization;
  return fastClass;
}

/** A fast batch-norm layer (same options as `tf.layers.batchNormalization`). */
export function fastBatchNorm(args: BatchNormArgs): BatchNormLayer {
  return new (fastBatchNormClass())(args);
}

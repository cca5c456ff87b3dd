/**
 * Integrated Gradients (Sundararajan et al.): (x − x′) · mean over α of ∂logit_c/∂x at x′ + α(x − x′),
 * with a black image as baseline x′ and the midpoint rule over `steps` values of α.
 *
 * Owns: the attribution maths. Does not own: normalisation of the baseline (the caller passes the
 * model-space value of a black pixel) or drawing.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Attributions of one image [1, H, W, C] for class `cls`, summed over channels: [H, W]. The steps run
 * as batches of at most `batchSize` interpolated images.
 */
export function integratedGradients(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  cls: number,
  options: { steps: number; baseline: number; batchSize?: number },
): tf.Tensor2D {
  return tf.tidy(() => {
    const baseline = tf.fill(x.shape, options.baseline);
    const delta = tf.sub(x, baseline);
    const logitOf = (batch: tf.Tensor): tf.Scalar => {
      const logits = model.apply(batch, { training: false }) as tf.Tensor2D;
      return tf.sum<tf.Scalar>(tf.slice(logits, [0, cls], [-1, 1]));
    };
    const gradFn = tf.grad(logitOf);
    const size = options.batchSize ?? 16;
    let total: tf.Tensor = tf.zeros(x.shape.slice(1));
    for (let start = 0; start < options.steps; start += size) {
      const count = Math.min(size, options.steps - start);
      const alphas = tf
        .tensor1d(Array.from({ length: count }, (_, k) => (start + k + 0.5) / options.steps))
        .reshape([count, 1, 1, 1]);
      const batch = tf.add(baseline, tf.mul(alphas, delta));
      total = tf.add(total, tf.sum(gradFn(batch), 0));
    }
    const attribution = tf.mul(tf.squeeze(delta, [0]), tf.div(total, options.steps)); // [H, W, C]
    return tf.sum<tf.Tensor2D>(attribution, 2);
  });
}

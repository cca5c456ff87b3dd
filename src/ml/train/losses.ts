/**
 * Losses on LOGITS for the three tasks, with class-imbalance handling.
 *
 * - multilabel / binary: per-label sigmoid cross-entropy, positives weighted by `posWeight[l]`
 *   (`balanced` = negatives/positives on the training split, `sqrt` = its square root), optionally
 *   focal: each term times (1 − p_t)^γ and α_t.
 * - multiclass: softmax cross-entropy with per-class weights (`balanced` = N / (K · n_k), `sqrt` = its
 *   square root), optionally focal.
 *
 * Owns: the loss maths and the weight computation. Does not own: sampling (sampler.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Task } from '../data/preprocessed-format.js';
import type { LossOptions, PosWeightMode } from './options.js';

/** Per-label (or per-class) weights from N×L multi-hot targets. Labels with no positives get 1. */
export function computeClassWeights(
  labels: Float32Array,
  numLabels: number,
  task: Task,
  mode: PosWeightMode,
): number[] {
  const n = labels.length / numLabels;
  const positives = new Array<number>(numLabels).fill(0);
  for (let i = 0; i < labels.length; i++) if (labels[i] > 0.5) positives[i % numLabels] += 1;
  return positives.map((pos) => {
    if (mode === 'none' || pos === 0) return 1;
    const raw = task === 'multiclass' ? n / (numLabels * pos) : (n - pos) / pos;
    return mode === 'sqrt' ? Math.sqrt(raw) : raw;
  });
}

/** A loss function of (targets [B, L], logits [B, L]) → scalar mean. */
export type LossFn = (targets: tf.Tensor2D, logits: tf.Tensor2D) => tf.Scalar;

/** Mean weighted sigmoid cross-entropy, optionally focal. */
export function sigmoidLoss(posWeight: readonly number[], gamma = 0, alpha: number | null = null): LossFn {
  return (y, z) =>
    tf.tidy(() => {
      const w = tf.tensor1d(posWeight as number[]);
      // −log σ(z) = softplus(−z); −log(1 − σ(z)) = softplus(z): stable for large |z|.
      const posTerm = tf.mul(tf.mul(y, w), tf.softplus(tf.neg(z)));
      const negTerm = tf.mul(tf.sub(1, y), tf.softplus(z));
      let pos: tf.Tensor = posTerm;
      let neg: tf.Tensor = negTerm;
      if (gamma > 0) {
        const p = tf.sigmoid(z);
        pos = tf.mul(pos, tf.pow(tf.sub(1, p), gamma));
        neg = tf.mul(neg, tf.pow(p, gamma));
      }
      if (alpha !== null) {
        pos = tf.mul(pos, alpha);
        neg = tf.mul(neg, 1 - alpha);
      }
      return tf.mean<tf.Scalar>(tf.add(pos, neg));
    });
}

/** Mean class-weighted softmax cross-entropy over one-hot targets, optionally focal. */
export function softmaxLoss(classWeight: readonly number[], gamma = 0, alpha: number | null = null): LossFn {
  return (y, z) =>
    tf.tidy(() => {
      const logp = tf.logSoftmax(z);
      let terms: tf.Tensor = tf.mul(tf.neg(logp), y);
      if (gamma > 0) terms = tf.mul(terms, tf.pow(tf.sub(1, tf.exp(logp)), gamma));
      if (alpha !== null) terms = tf.mul(terms, alpha);
      const weighted = tf.mul(terms, tf.tensor1d(classWeight as number[]));
      return tf.mean<tf.Scalar>(tf.sum(weighted, 1));
    });
}

/** The loss for a task and options, given per-label weights from {@link computeClassWeights}. */
export function makeLoss(task: Task, options: LossOptions, weights: readonly number[]): LossFn {
  const gamma = options.type === 'focal' ? options.gamma : 0;
  const alpha = options.type === 'focal' ? options.alpha : null;
  return task === 'multiclass' ? softmaxLoss(weights, gamma, alpha) : sigmoidLoss(weights, gamma, alpha);
}

/** Logits → probabilities: softmax for multiclass, sigmoid otherwise. */
export function toProbabilities(task: Task, logits: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => (task === 'multiclass' ? tf.softmax(logits) : tf.sigmoid(logits)));
}

/**
 * The project's own tfjs layers, and their registration for deserialisation.
 *
 * Owns: `SeededDropout` (tfjs's Dropout with a `seed` reuses the SAME mask at every step, and without a
 * seed it draws from Math.random, so training is not reproducible; this layer derives a new mask seed at
 * each training call from `seed` and a call counter). Does not own: model builders.
 */
import * as tf from '@tensorflow/tfjs';
import { fastBatchNormClass } from './fast-batch-norm.js';

/** Config of {@link SeededDropout}. */
export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
}

/** Dropout whose masks are a deterministic function of (seed, number of training calls so far). */
export class SeededDropout extends tf.layers.Layer {
  static className = 'XpipeSeededDropout';
  readonly rate: number;
  readonly seed: number;
  private calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs.training !== true || this.rate <= 0) return x;
    const seed = (this.seed * 7919 + this.calls++) % 2147483647;
    return tf.dropout(x, this.rate, undefined, seed);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

let registered = false;

/**
 * Makes the project's layers known to `tf.loadLayersModel` (and maps `BatchNormalization` to the
 * equivalent fast-training class). Idempotent; call before loading a model.
 */
export function registerCustomLayers(): void {
  if (registered) return;
  tf.serialization.registerClass(SeededDropout);
  tf.serialization.registerClass(fastBatchNormClass() as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>);
  registered = true;
}

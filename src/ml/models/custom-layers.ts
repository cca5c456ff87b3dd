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
  /** Training calls so far; part of the training state (see getDropoutState / setDropoutState). */
  calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
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
  tf.serialization.registerClass(
    fastBatchNormClass() as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>,
  );
  registered = true;
}

/**
 * The dropout state of a model: training calls per SeededDropout layer. A resumable training loop stores it
 * in its checkpoint and restores it with {@link setDropoutState}, so the resumed run draws the same masks as
 * an uninterrupted one.
 */
export function getDropoutState(model: tf.LayersModel): Record<string, number> {
  const state: Record<string, number> = {};
  for (const layer of model.layers) if (layer instanceof SeededDropout) state[layer.name] = layer.calls;
  return state;
}

/** Restores a state from {@link getDropoutState} (layers absent from `state` restart at 0). */
export function setDropoutState(model: tf.LayersModel, state: Readonly<Record<string, number>>): void {
  for (const layer of model.layers) if (layer instanceof SeededDropout) layer.calls = state[layer.name] ?? 0;
}

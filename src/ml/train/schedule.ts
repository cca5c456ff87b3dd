/**
 * Learning-rate schedules, evaluated once per epoch, with optional linear warm-up.
 *
 * - `none`: constant `lr` after warm-up.
 * - `cosine`: from `lr` down to `minLr` over the epochs after warm-up.
 * - `reduce_on_plateau`: multiply by `factor` when the monitored metric has not improved for
 *   `patience` epochs, never below `minLr`.
 *
 * Owns: the schedule state (serialisable for checkpoints). Does not own: the optimiser.
 */
import type { ScheduleName } from './options.js';

export interface ScheduleOptions {
  schedule: ScheduleName;
  lr: number;
  minLr: number;
  epochs: number;
  warmupEpochs: number;
  plateauFactor: number;
  plateauPatience: number;
  /** Whether a larger monitored value is better (AUC) or smaller (loss). */
  maximize: boolean;
  minDelta: number;
}

/** Serialisable state of reduce_on_plateau. */
export interface ScheduleState {
  plateauLr: number;
  best: number | null;
  wait: number;
}

export function initialScheduleState(o: ScheduleOptions): ScheduleState {
  return { plateauLr: o.lr, best: null, wait: 0 };
}

/** Learning rate for `epoch` (0-based). */
export function learningRate(o: ScheduleOptions, state: ScheduleState, epoch: number): number {
  if (epoch < o.warmupEpochs) return (o.lr * (epoch + 1)) / (o.warmupEpochs + 1);
  switch (o.schedule) {
    case 'none':
      return o.lr;
    case 'cosine': {
      const span = Math.max(1, o.epochs - o.warmupEpochs - 1);
      const t = Math.min(1, (epoch - o.warmupEpochs) / span);
      return o.minLr + (o.lr - o.minLr) * 0.5 * (1 + Math.cos(Math.PI * t));
    }
    case 'reduce_on_plateau':
      return state.plateauLr;
  }
}

/** Updates the plateau state with this epoch's monitored value; returns the new state. */
export function observeMetric(o: ScheduleOptions, state: ScheduleState, value: number | null): ScheduleState {
  if (o.schedule !== 'reduce_on_plateau' || value === null) return state;
  const improved =
    state.best === null || (o.maximize ? value > state.best + o.minDelta : value < state.best - o.minDelta);
  if (improved) return { ...state, best: value, wait: 0 };
  const wait = state.wait + 1;
  if (wait > o.plateauPatience) {
    return { ...state, wait: 0, plateauLr: Math.max(o.minLr, state.plateauLr * o.plateauFactor) };
  }
  return { ...state, wait };
}

/**
 * Early stopping on a monitored validation metric: an epoch is an improvement when it beats the best
 * so far by more than `minDelta`; training stops after `patience` epochs without one.
 *
 * A tie with the best value (e.g. a validation AUC stuck at 1.0 on easy data) counts as an improvement
 * when the tie-break value (validation loss, lower is better) drops, so the kept weights keep getting
 * better calibrated instead of freezing at the first saturated epoch.
 *
 * Owns: the pure decision and its serialisable state. Does not own: keeping the best weights (the
 * training loop snapshots them when `improved` is true).
 */

export interface EarlyStoppingOptions {
  patience: number;
  minDelta: number;
  maximize: boolean;
}

export interface EarlyStoppingState {
  best: number | null;
  /** Tie-break value (lower is better) of the best epoch. */
  bestTie?: number | null;
  bestEpoch: number;
  wait: number;
}

export interface EarlyStoppingDecision {
  state: EarlyStoppingState;
  improved: boolean;
  stop: boolean;
}

export function initialEarlyStopping(): EarlyStoppingState {
  return { best: null, bestEpoch: -1, wait: 0 };
}

/** Feeds one epoch's metric (null = undefined this epoch, never an improvement). */
export function observe(
  o: EarlyStoppingOptions,
  state: EarlyStoppingState,
  epoch: number,
  value: number | null,
  tieBreak: number | null = null,
): EarlyStoppingDecision {
  const valid = value !== null && Number.isFinite(value);
  const better =
    valid && (state.best === null || (o.maximize ? value > state.best + o.minDelta : value < state.best - o.minDelta));
  const tieBetter =
    valid && value === state.best && tieBreak !== null && state.bestTie != null && tieBreak < state.bestTie;
  if (better || tieBetter) {
    return { state: { best: value, bestTie: tieBreak, bestEpoch: epoch, wait: 0 }, improved: true, stop: false };
  }
  const wait = state.wait + 1;
  return { state: { ...state, wait }, improved: false, stop: wait >= o.patience };
}

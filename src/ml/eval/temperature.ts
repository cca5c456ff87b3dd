/**
 * Temperature scaling (Guo et al. 2017): one scalar T > 0 divides every logit, fitted on the validation
 * split by minimising the negative log-likelihood of the model's own loss (binary cross-entropy per label
 * for multilabel/binary, categorical cross-entropy for multiclass). A single T keeps each label's ranking,
 * so AUC and the tuned thresholds' ordering are untouched; only how far the probabilities sit from 0.5
 * (or from uniform) changes.
 *
 * Owns: the fit and applying T. Does not own: choosing whether to scale (options.ts) or reporting.
 */
import type { Task } from '../data/preprocessed-format.js';
import { logitsToProbabilities } from './predict.js';

/** Search range of T: far wider than any useful correction, so the optimum is interior. */
const T_MIN = 0.05;
const T_MAX = 20;

const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Mean negative log-likelihood of N×L logits divided by `t`, against 0/1 truth. */
export function scaledNll(
  task: Task,
  logits: ArrayLike<number>,
  truth: ArrayLike<number>,
  L: number,
  t: number,
): number {
  const n = logits.length / L;
  if (n === 0) return 0;
  let total = 0;
  if (task !== 'multiclass') {
    // BCE with logits: softplus(z) − y·z
    for (let i = 0; i < logits.length; i++) {
      const z = logits[i] / t;
      total += softplus(z) - (truth[i] > 0.5 ? z : 0);
    }
    return total / logits.length;
  }
  for (let r = 0; r < n; r++) {
    let max = -Infinity;
    for (let c = 0; c < L; c++) max = Math.max(max, logits[r * L + c] / t);
    let sum = 0;
    let target = 0;
    for (let c = 0; c < L; c++) {
      const z = logits[r * L + c] / t;
      sum += Math.exp(z - max);
      if (truth[r * L + c] > 0.5) target = z;
    }
    total += max + Math.log(sum) - target;
  }
  return total / n;
}

export interface TemperatureFit {
  temperature: number;
  nllBefore: number;
  nllAfter: number;
}

/**
 * The T in [0.05, 20] minimising {@link scaledNll}: golden-section search over log T. The NLL is convex in
 * 1/T, hence unimodal in log T, so the search converges to the global minimum (to ~1e-9 relative).
 */
export function fitTemperature(
  task: Task,
  logits: ArrayLike<number>,
  truth: ArrayLike<number>,
  L: number,
): TemperatureFit {
  const f = (logT: number): number => scaledNll(task, logits, truth, L, Math.exp(logT));
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(T_MIN);
  let b = Math.log(T_MAX);
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let it = 0; it < 80; it++) {
    if (fc <= fd) {
      [b, d, fd] = [d, c, fc];
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  const temperature = Math.exp((a + b) / 2);
  return { temperature, nllBefore: f(0), nllAfter: f(Math.log(temperature)) };
}

/** Probabilities of N×L logits divided by `t` (sigmoid or softmax, as the model's own output). */
export function applyTemperature(task: Task, logits: Float32Array, L: number, t: number): Float32Array {
  const scaled = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i++) scaled[i] = logits[i] / t;
  return logitsToProbabilities(task, scaled, L);
}

/**
 * Exact t-SNE (van der Maaten & Hinton 2008) from N×D points to N×2, seeded and deterministic.
 *
 * Owns: the perplexity calibration of P, the optimiser (early exaggeration, momentum, per-coordinate
 * gains, the learning-rate rule of scikit-learn's `learning_rate='auto'`), the initialisation (PCA or
 * seeded Gaussian) and the final KL divergence. Does not own: where the points come from or any drawing.
 *
 * Why our own and not an npm package: the maintained-looking JavaScript ports (`tsne-js`,
 * `@keckelt/tsne`, both ports of karpathy's tsnejs) draw from `Math.random` with no seed, so two runs
 * differ; this file is the same algorithm in plain typed arrays with one seeded stream. Exact (O(N²) per
 * iteration) is fast enough for the ≤ a few thousand points the embed stage plots, and has no
 * approximation parameter to tune.
 */
import { Mulberry32 } from '../../shared/rng.js';

/** Options of {@link tsne}. */
export interface TsneOptions {
  /** Effective number of neighbours (5–50 is usual); must be < N. */
  perplexity: number;
  /** Gradient steps (the first 250, or a quarter if fewer, use early exaggeration). */
  iterations: number;
  /** Seed of the Gaussian initialisation (and of nothing else). */
  seed: number;
  /** `pca`: the first two principal components, scaled (stable global layout); `random`: N(0, 1e-4²). */
  init?: 'pca' | 'random';
}

/** What {@link tsne} returns. */
export interface TsneResult {
  /** N×2 coordinates, row-major, centred. */
  y: Float64Array;
  /** KL(P‖Q) of the final layout (lower is a more faithful map). */
  kl: number;
}

/** Squared Euclidean distances, N×N row-major. */
export function squaredDistances(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = x[i * d + k] - x[j * d + k];
        s += diff * diff;
      }
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/**
 * Row-conditional probabilities p_{j|i} ∝ exp(-β_i d_ij), each β_i found by bisection so that the
 * row's perplexity 2^H equals `perplexity` (to 1e-5 in entropy). N×N row-major, zero diagonal.
 */
export function conditionalP(dist: Float64Array, n: number, perplexity: number): Float64Array {
  const p = new Float64Array(n * n);
  const target = Math.log(perplexity);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Distances relative to the nearest neighbour: the same p_{j|i}, but exp() cannot underflow to all zeros.
    let nearest = Infinity;
    for (let j = 0; j < n; j++) if (j !== i) nearest = Math.min(nearest, dist[i * n + j]);
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let step = 0; step < 200; step++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < n; j++) {
        const dj = j === i ? 0 : dist[i * n + j] - nearest;
        const v = j === i ? 0 : Math.exp(-beta * dj);
        row[j] = v;
        sum += v;
        weighted += v * dj;
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      const diff = entropy - target;
      if (Math.abs(diff) < 1e-5) break;
      // Too flat (entropy too high) → sharpen (larger β); else soften.
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += row[j];
    for (let j = 0; j < n; j++) p[i * n + j] = sum > 0 ? row[j] / sum : 0;
  }
  return p;
}

/** Symmetric joint probabilities p_ij = (p_{j|i} + p_{i|j}) / 2N, floored at 1e-12 off the diagonal. */
export function jointP(x: ArrayLike<number>, n: number, d: number, perplexity: number): Float64Array {
  const cond = conditionalP(squaredDistances(x, n, d), n, perplexity);
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) p[i * n + j] = Math.max((cond[i * n + j] + cond[j * n + i]) / (2 * n), 1e-12);
    }
  }
  return p;
}

/** Top-two principal-component scores of x (N×D) by power iteration with a fixed start (deterministic). */
export function pca2(x: ArrayLike<number>, n: number, d: number): Float64Array {
  const centred = new Float64Array(n * d);
  for (let k = 0; k < d; k++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i * d + k];
    mean /= n;
    for (let i = 0; i < n; i++) centred[i * d + k] = x[i * d + k] - mean;
  }
  const out = new Float64Array(n * 2);
  const found: Float64Array[] = [];
  for (let c = 0; c < 2; c++) {
    let v = new Float64Array(d).map((_, k) => 1 + ((k * 7919) % 13) / 13);
    for (let it = 0; it < 100; it++) {
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) scores[i] += centred[i * d + k] * v[k];
      const next = new Float64Array(d);
      for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) next[k] += centred[i * d + k] * scores[i];
      // Deflate: stay orthogonal to the components already found.
      for (const f of found) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += next[k] * f[k];
        for (let k = 0; k < d; k++) next[k] -= dot * f[k];
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      v = next.map((e) => e / norm);
    }
    // Sign convention: the largest-magnitude loading is positive, so the layout never mirrors at random.
    let big = 0;
    for (let k = 0; k < d; k++) if (Math.abs(v[k]) > Math.abs(v[big])) big = k;
    if (v[big] < 0) v = v.map((e) => -e);
    found.push(v);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += centred[i * d + k] * v[k];
      out[i * 2 + c] = s;
    }
  }
  return out;
}

function initialLayout(x: ArrayLike<number>, n: number, d: number, options: TsneOptions): Float64Array {
  if ((options.init ?? 'pca') === 'pca') {
    const y = pca2(x, n, d);
    let sq = 0;
    for (let i = 0; i < n; i++) sq += y[i * 2] ** 2;
    const sd = Math.sqrt(sq / n);
    // scikit-learn scales the PCA start to std 1e-4 so that it does not dominate the early iterations.
    if (sd > 0) return y.map((v) => (v / sd) * 1e-4);
  }
  const rng = new Mulberry32(options.seed);
  return new Float64Array(n * 2).map(() => rng.normal(0, 1e-4));
}

/** Embeds N points of dimension D (row-major `x`) into 2-D. */
export function tsne(x: ArrayLike<number>, n: number, d: number, options: TsneOptions): TsneResult {
  if (n < 2) return { y: new Float64Array(n * 2), kl: 0 };
  const perplexity = Math.min(options.perplexity, (n - 1) / 3);
  const p = jointP(x, n, d, perplexity);
  const y = initialLayout(x, n, d, options);
  const exaggeration = 12;
  const exaggeratedSteps = Math.min(250, Math.floor(options.iterations / 4));
  const lr = Math.max(n / exaggeration / 4, 50);
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const attract = new Float64Array(n * 2);
  const repel = new Float64Array(n * 2);
  const grad = new Float64Array(n * 2);
  for (let it = 0; it < options.iterations; it++) {
    const exag = it < exaggeratedSteps ? exaggeration : 1;
    const momentum = it < exaggeratedSteps ? 0.5 : 0.8;
    // One pass over the pairs (i < j, both symmetric): the gradient 4 Σ_j (exag p_ij − q_ij/Z) w_ij (y_i − y_j)
    // with w = 1/(1+|y_i−y_j|²) splits into an attractive sum of p w and a repulsive sum of w², the
    // latter divided by Z once Z is known.
    attract.fill(0);
    repel.fill(0);
    let z = 0;
    for (let i = 0; i < n; i++) {
      const yi0 = y[i * 2];
      const yi1 = y[i * 2 + 1];
      let ax = 0;
      let ay = 0;
      let rx = 0;
      let ry = 0;
      for (let j = i + 1; j < n; j++) {
        const dx = yi0 - y[j * 2];
        const dy = yi1 - y[j * 2 + 1];
        const w = 1 / (1 + dx * dx + dy * dy);
        z += 2 * w;
        const a = p[i * n + j] * w;
        const r = w * w;
        ax += a * dx;
        ay += a * dy;
        rx += r * dx;
        ry += r * dy;
        attract[j * 2] -= a * dx;
        attract[j * 2 + 1] -= a * dy;
        repel[j * 2] -= r * dx;
        repel[j * 2 + 1] -= r * dy;
      }
      attract[i * 2] += ax;
      attract[i * 2 + 1] += ay;
      repel[i * 2] += rx;
      repel[i * 2 + 1] += ry;
    }
    for (let k = 0; k < n * 2; k++) grad[k] = 4 * (exag * attract[k] - repel[k] / z);
    for (let k = 0; k < n * 2; k++) {
      const g = grad[k];
      // Delta-bar-delta gains: grow where the step keeps its direction, shrink where it flips.
      gains[k] = Math.max(0.01, Math.sign(g) !== Math.sign(update[k]) ? gains[k] + 0.2 : gains[k] * 0.8);
      update[k] = momentum * update[k] - lr * gains[k] * g;
      y[k] += update[k];
    }
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += y[i * 2];
      my += y[i * 2 + 1];
    }
    for (let i = 0; i < n; i++) {
      y[i * 2] -= mx / n;
      y[i * 2 + 1] -= my / n;
    }
  }
  return { y, kl: klDivergence(p, y, n) };
}

/** KL(P‖Q) for joint P and layout y. */
export function klDivergence(p: Float64Array, y: Float64Array, n: number): number {
  let z = 0;
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const v = 1 / (1 + (y[i * 2] - y[j * 2]) ** 2 + (y[i * 2 + 1] - y[j * 2 + 1]) ** 2);
      q[i * n + j] = v;
      z += v;
    }
  }
  let kl = 0;
  for (let k = 0; k < n * n; k++) {
    const pk = p[k];
    if (pk > 0) kl += pk * Math.log(pk / Math.max(q[k] / z, 1e-12));
  }
  return kl;
}

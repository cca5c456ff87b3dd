// The t-SNE projection against known configurations: perplexity calibration, well-separated Gaussian
// clusters staying separated, PCA recovering a known direction, and a fixed-seed snapshot that pins the
// algorithm (an accidental change to the optimiser moves these numbers).
import { describe, expect, it } from 'vitest';
import { conditionalP, pca2, squaredDistances, tsne } from '../../../src/ml/embed/tsne.js';
import { distanceMatrix, silhouette } from '../../../src/ml/embed/separation.js';
import { Mulberry32 } from '../../../src/shared/rng.js';

/** `k` Gaussian clusters of `per` points in `d` dimensions, centres 20 σ apart on the first axes. */
function clusters(k: number, per: number, d: number, seed = 3): { x: Float64Array; group: string[] } {
  const rng = new Mulberry32(seed);
  const x = new Float64Array(k * per * d);
  const group: string[] = [];
  for (let i = 0; i < k * per; i++) {
    const c = i % k; // interleaved, so the order of the rows says nothing about the clusters
    group.push(`c${c}`);
    for (let j = 0; j < d; j++) x[i * d + j] = rng.normal() + (j === c ? 20 : 0);
  }
  return { x, group };
}

describe('conditionalP', () => {
  it('gives every row the requested perplexity and sums to one', () => {
    const { x } = clusters(3, 20, 8);
    const n = 60;
    for (const perplexity of [5, 15]) {
      const p = conditionalP(squaredDistances(x, n, 8), n, perplexity);
      for (let i = 0; i < n; i++) {
        const row = p.subarray(i * n, (i + 1) * n);
        const entropy = -row.reduce((s, v) => (v > 0 ? s + v * Math.log(v) : s), 0);
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
        expect(row[i]).toBe(0);
        expect(Math.exp(entropy)).toBeCloseTo(perplexity, 3);
      }
    }
  });

  it('copes with distances so large that exp(-d) underflows', () => {
    const n = 10;
    const dist = new Float64Array(n * n).map((_, k) => (Math.floor(k / n) === k % n ? 0 : 1e6 + (k % 7)));
    const p = conditionalP(dist, n, 3);
    expect(p.every(Number.isFinite)).toBe(true);
    expect(p.subarray(0, n).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
  });
});

describe('pca2', () => {
  it('finds the direction of largest variance first, with a fixed sign', () => {
    const rng = new Mulberry32(5);
    const n = 50;
    const d = 4;
    const t = Array.from({ length: n }, () => rng.normal());
    // spread 5 along (1, 1, 0, 0)/√2, 2 along axis 3, noise 0.1
    const x = new Float64Array(n * d);
    t.forEach((ti, i) => {
      const u = rng.normal();
      x[i * d] = (5 * ti) / Math.SQRT2 + 0.1 * rng.normal();
      x[i * d + 1] = (5 * ti) / Math.SQRT2 + 0.1 * rng.normal();
      x[i * d + 2] = 2 * u;
      x[i * d + 3] = 0.1 * rng.normal();
    });
    const y = pca2(x, n, d);
    const mean = t.reduce((a, b) => a + b, 0) / n;
    const corr = (a: number[], b: number[]): number => {
      const ma = a.reduce((s, v) => s + v, 0) / a.length;
      const mb = b.reduce((s, v) => s + v, 0) / b.length;
      const cov = a.reduce((s, v, i) => s + (v - ma) * (b[i] - mb), 0);
      return cov / Math.sqrt(a.reduce((s, v) => s + (v - ma) ** 2, 0) * b.reduce((s, v) => s + (v - mb) ** 2, 0));
    };
    const first = Array.from({ length: n }, (_, i) => y[i * 2]);
    expect(corr(first, t)).toBeGreaterThan(0.999);
    expect(Math.abs(mean)).toBeLessThan(1); // sanity: t is centred-ish, so the correlation is meaningful
    const second = Array.from({ length: n }, (_, i) => y[i * 2 + 1]);
    expect(Math.abs(corr(second, first))).toBeLessThan(1e-6);
  });
});

describe('tsne', () => {
  it('keeps well-separated Gaussian clusters separate: every nearest neighbour in the map is in its cluster', () => {
    const { x, group } = clusters(4, 25, 10);
    const n = 100;
    for (const init of ['pca', 'random'] as const) {
      const { y, kl } = tsne(x, n, 10, { perplexity: 15, iterations: 500, seed: 1, init });
      const d2 = distanceMatrix(y, n, 2);
      for (let i = 0; i < n; i++) {
        let best = -1;
        for (let j = 0; j < n; j++) if (j !== i && (best < 0 || d2[i * n + j] < d2[i * n + best])) best = j;
        expect(group[best], `${init}: neighbour of point ${i}`).toBe(group[i]);
      }
      expect(silhouette(d2, group), init).toBeGreaterThan(0.7);
      expect(kl).toBeGreaterThan(0);
      expect(kl).toBeLessThan(1);
    }
  });

  it('is a function of the seed: same seed, same bytes; another seed, another layout', () => {
    const { x } = clusters(3, 10, 5);
    const run = (seed: number) => tsne(x, 30, 5, { perplexity: 5, iterations: 200, seed, init: 'random' }).y;
    expect(Buffer.from(run(7).buffer).equals(Buffer.from(run(7).buffer))).toBe(true);
    expect(Buffer.from(run(7).buffer).equals(Buffer.from(run(8).buffer))).toBe(false);
  });

  it('matches the fixed-seed snapshot of its first coordinates', () => {
    const { x } = clusters(3, 10, 5);
    const { y, kl } = tsne(x, 30, 5, { perplexity: 5, iterations: 300, seed: 42, init: 'random' });
    expect(Array.from(y.subarray(0, 6), (v) => Number(v.toFixed(6)))).toMatchInlineSnapshot(`
      [
        -49.340451,
        -12.859858,
        12.086002,
        -21.423372,
        30.023307,
        41.573294,
      ]
    `);
    expect(Number(kl.toFixed(6))).toMatchInlineSnapshot(`0.092101`);
  });

  it('handles fewer points than the perplexity needs, and the degenerate sizes', () => {
    const { x } = clusters(2, 3, 4);
    const { y } = tsne(x, 6, 4, { perplexity: 30, iterations: 100, seed: 1 });
    expect(y.every(Number.isFinite)).toBe(true);
    expect(tsne(new Float64Array(4), 1, 4, { perplexity: 30, iterations: 10, seed: 1 }).y).toEqual(new Float64Array(2));
  });
});

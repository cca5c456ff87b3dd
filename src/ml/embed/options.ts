/**
 * Validated options of the `embed` stage (params section `embed`).
 */
import { Reader, section } from '../params/index.js';

export interface EmbedOptions {
  /** Seed of the subsample (when the split has more than `maxPoints` images) and of a random t-SNE start. */
  seed: number;
  /** t-SNE perplexity (effective neighbours); clipped to (N − 1) / 3 for small splits. */
  perplexity: number;
  /** t-SNE gradient steps. */
  iterations: number;
  /** Most images plotted (exact t-SNE is O(N²) per step: 1,000 points take ~15 s on 2 cores). */
  maxPoints: number;
  /** Longest edge of the hover thumbnails in pixels (0 = none, a much smaller page). */
  thumbnail: number;
  /** t-SNE start: `pca` (stable global layout) or `random` (seeded). */
  init: 'pca' | 'random';
}

/** Above this, P and the pairwise matrices (N² doubles each) no longer fit comfortably in memory. */
export const MAX_POINTS_LIMIT = 5000;

export function parseEmbedOptions(params: Readonly<Record<string, unknown>>): EmbedOptions {
  const r = new Reader(section(params, 'embed'), 'embed');
  r.rejectUnknown(['seed', 'perplexity', 'iterations', 'max_points', 'thumbnail', 'init']);
  return {
    seed: r.int('seed', 42, 0),
    perplexity: r.number('perplexity', 30, { min: 1, max: 100 }),
    iterations: r.int('iterations', 1000, 50, 10000),
    maxPoints: r.int('max_points', 1000, 10, MAX_POINTS_LIMIT),
    thumbnail: r.int('thumbnail', 64, 0, 256),
    init: r.oneOf('init', ['pca', 'random'] as const, 'pca'),
  };
}

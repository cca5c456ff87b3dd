/**
 * The `preprocess` params, validated, and the per-image cache key derived from them.
 * Owns: `PreprocessOptions`, `parsePreprocessParams`, `cacheKey`. Does not own: the pixel work.
 */
import { createHash } from 'node:crypto';
import { asSection, EQUALIZE, invalidParam, Reader, type Equalize } from '../../params/index.js';

export { EQUALIZE, type Equalize };

export interface PreprocessOptions {
  /** Output side in pixels (images become size×size; aspect ratio is not kept, as in the source projects). */
  size: number;
  equalize: Equalize;
  /** Odd Gaussian kernel size; 0 or 1 disables the blur. */
  blurKsize: number;
  /** Gaussian sigma; 0 = OpenCV's rule from the kernel size. */
  blurSigma: number;
  /** CLAHE clip limit (only for equalize: clahe). */
  claheClip: number;
  /** Size of one output shard in MiB (see preprocessed-format.ts); does not change pixels. */
  shardMb: number;
}

export function parsePreprocessParams(raw: unknown): PreprocessOptions {
  const p = new Reader(asSection(raw, 'preprocess'), 'preprocess');
  const blurKsize = p.int('blur_ksize', 5, 0, 31);
  if (blurKsize > 1 && blurKsize % 2 === 0)
    throw invalidParam('preprocess.blur_ksize', 'odd integer (or 0 for no blur)', blurKsize);
  return {
    size: p.int('size', 64, 8, 2048),
    equalize: p.oneOf('equalize', EQUALIZE, 'global'),
    blurKsize,
    blurSigma: p.number('blur_sigma', 0, { min: 0, max: 100 }),
    claheClip: p.number('clahe_clip', 2, { min: 0.1, max: 100 }),
    // fractions are allowed (tests use shards of a few KiB)
    shardMb: p.number('shard_mb', 256, { min: 0.001, max: 65536 }),
  };
}

/** Bumped whenever the pixel arithmetic changes, so old cache entries are never reused. */
export const PIXEL_VERSION = 1;

/**
 * Cache key of one output: the source bytes' SHA-256 (content, not path: renamed files still hit), what is
 * produced (image or mask) and every option that changes pixels, plus the arithmetic version.
 */
export function cacheKey(contentHash: string, kind: 'image' | 'mask', o: PreprocessOptions): string {
  const parts =
    kind === 'mask'
      ? { v: PIXEL_VERSION, kind, content: contentHash, size: o.size }
      : {
          v: PIXEL_VERSION,
          kind,
          content: contentHash,
          size: o.size,
          equalize: o.equalize,
          k: o.blurKsize,
          sigma: o.blurSigma,
          clip: o.equalize === 'clahe' ? o.claheClip : null,
        };
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

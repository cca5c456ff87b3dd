// Augmentation: identity when disabled, exact flips, seeded reproducibility, values kept in [0, 1].
import { describe, expect, it } from 'vitest';
import { makeAugmenter, NO_AUGMENT } from '../../../src/ml/data/augment.js';
import { parseAugmentOptions } from '../../../src/ml/train/options.js';
import { Mulberry32 } from '../../../src/shared/rng.js';

const H = 6;
const W = 8;
function ramp(): Float32Array {
  return Float32Array.from(
    { length: H * W },
    (_, i) => ((i % W) / (W - 1)) * 0.5 + (Math.floor(i / W) / (H - 1)) * 0.5,
  );
}

describe('makeAugmenter', () => {
  it('leaves the image unchanged when every probability is 0', () => {
    const img = ramp();
    const rng = new Mulberry32(1);
    makeAugmenter(NO_AUGMENT, () => rng.next())(img, H, W);
    expect(img).toEqual(ramp());
  });

  it('hflip with p = 1 mirrors every row exactly', () => {
    const img = ramp();
    const rng = new Mulberry32(1);
    makeAugmenter({ ...NO_AUGMENT, hflip: 1 }, () => rng.next())(img, H, W);
    const src = ramp();
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) expect(img[y * W + x]).toBeCloseTo(src[y * W + (W - 1 - x)], 6);
  });

  it('is reproducible for a seed, differs across seeds, and keeps pixels in [0, 1]', () => {
    const options = parseAugmentOptions({
      augment: {
        hflip: 0.5,
        rotate: { p: 1, degrees: 15 },
        shift_scale: { p: 1 },
        brightness_contrast: { p: 1, brightness: 0.5, contrast: 0.5 },
        sharpness: { p: 1, amount: 2 },
        autocontrast: { p: 0.5 },
      },
    });
    const run = (seed: number): Float32Array => {
      const rng = new Mulberry32(seed);
      const img = ramp();
      makeAugmenter(options, () => rng.next())(img, H, W);
      return img;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
    for (const v of run(9)) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('draws the same count of random numbers per image whatever fires', () => {
    let drawsA = 0;
    let drawsB = 0;
    makeAugmenter(NO_AUGMENT, () => (drawsA++, 0.5))(ramp(), H, W);
    makeAugmenter({ ...NO_AUGMENT, hflip: 1, rotate: { p: 1, degrees: 5 } }, () => (drawsB++, 0.5))(ramp(), H, W);
    expect(drawsA).toBe(drawsB);
  });
});

describe('parseAugmentOptions', () => {
  it('names the bad field', () => {
    expect(() => parseAugmentOptions({ augment: { rotate: { p: 1.5 } } })).toThrow(
      "expected number in [0, 1] for augment.rotate.p, got '1.5' (number)",
    );
    expect(() => parseAugmentOptions({ augment: { flip: 0.5 } })).toThrow(/unknown option augment.flip/);
  });
});

/**
 * Seeded on-the-fly augmentation of training images, as plain typed-array code on [0, 1] pixels
 * (64×64 images cost microseconds each, far below a training step).
 *
 * Owns: horizontal flip, rotation, shift/scale (one inverse affine map with bilinear sampling and
 * edge clamping), brightness/contrast, sharpness (unsharp mask) and autocontrast, each applied with
 * its own probability. Does not own: randomness (an injected `next()` in [0, 1), so a checkpoint can
 * save the generator) or which split is augmented (the training loop only augments train).
 */
import type { ImageTransform } from './dataset.js';

/** Probabilities and magnitudes; a probability of 0 disables a transform. */
export interface AugmentOptions {
  hflip: number;
  rotate: { p: number; degrees: number };
  shiftScale: { p: number; shift: number; scale: number };
  brightnessContrast: { p: number; brightness: number; contrast: number };
  sharpness: { p: number; amount: number };
  autocontrast: { p: number };
}

export const NO_AUGMENT: AugmentOptions = {
  hflip: 0,
  rotate: { p: 0, degrees: 0 },
  shiftScale: { p: 0, shift: 0, scale: 0 },
  brightnessContrast: { p: 0, brightness: 0, contrast: 0 },
  sharpness: { p: 0, amount: 0 },
  autocontrast: { p: 0 },
};

/** Source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/** Inverse affine map from output to input pixel coordinates around the image centre. */
interface Affine {
  flip: boolean;
  angle: number;
  scale: number;
  dx: number;
  dy: number;
}

function warp(image: Float32Array, h: number, w: number, a: Affine): void {
  const src = image.slice();
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const cos = Math.cos(-a.angle) / a.scale;
  const sin = Math.sin(-a.angle) / a.scale;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const ox = (a.flip ? w - 1 - x : x) - cx - a.dx;
      const oy = y - cy - a.dy;
      let sx = cos * ox - sin * oy + cx;
      let sy = sin * ox + cos * oy + cy;
      sx = Math.min(Math.max(sx, 0), w - 1);
      sy = Math.min(Math.max(sy, 0), h - 1);
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(x0 + 1, w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = src[y0 * w + x0] * (1 - fx) + src[y0 * w + x1] * fx;
      const bottom = src[y1 * w + x0] * (1 - fx) + src[y1 * w + x1] * fx;
      image[y * w + x] = top * (1 - fy) + bottom * fy;
    }
  }
}

/** 3×3 box blur with clamped edges. */
function blur3(image: Float32Array, h: number, w: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(Math.max(y + dy, 0), h - 1);
        for (let dx = -1; dx <= 1; dx++) {
          const xx = Math.min(Math.max(x + dx, 0), w - 1);
          sum += image[yy * w + xx];
        }
      }
      out[y * w + x] = sum / 9;
    }
  }
  return out;
}

function clip01(image: Float32Array): void {
  for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(0, image[i]));
}

function mean(image: Float32Array): number {
  let s = 0;
  for (const v of image) s += v;
  return s / image.length;
}

function autocontrast(image: Float32Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of image) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi - lo < 1e-6) return;
  for (let i = 0; i < image.length; i++) image[i] = (image[i] - lo) / (hi - lo);
}

/**
 * Returns a transform that augments one image in place. Draws happen in a fixed order for every image
 * (whether or not a transform fires), so the stream of random numbers does not depend on the pixels.
 */
export function makeAugmenter(options: AugmentOptions, next: Uniform): ImageTransform {
  const o = options;
  const between = (lo: number, hi: number): number => lo + (hi - lo) * next();
  return (image, h, w) => {
    const flip = next() < o.hflip;
    const doRotate = next() < o.rotate.p;
    const angle = (between(-1, 1) * o.rotate.degrees * Math.PI) / 180;
    const doShift = next() < o.shiftScale.p;
    const dx = between(-1, 1) * o.shiftScale.shift * w;
    const dy = between(-1, 1) * o.shiftScale.shift * h;
    const scale = 1 + between(-1, 1) * o.shiftScale.scale;
    const doBc = next() < o.brightnessContrast.p;
    const brightness = between(-1, 1) * o.brightnessContrast.brightness;
    const contrast = 1 + between(-1, 1) * o.brightnessContrast.contrast;
    const doSharp = next() < o.sharpness.p;
    const amount = next() * o.sharpness.amount;
    const doAuto = next() < o.autocontrast.p;

    if (flip || doRotate || doShift) {
      warp(image, h, w, {
        flip,
        angle: doRotate ? angle : 0,
        scale: doShift ? scale : 1,
        dx: doShift ? dx : 0,
        dy: doShift ? dy : 0,
      });
    }
    if (doBc) {
      const m = mean(image);
      for (let i = 0; i < image.length; i++) image[i] = (image[i] - m) * contrast + m + brightness;
      clip01(image);
    }
    if (doSharp && amount > 0) {
      const blurred = blur3(image, h, w);
      for (let i = 0; i < image.length; i++) {
        image[i] = image[i] + amount * (image[i] - blurred[i]);
      }
      clip01(image);
    }
    if (doAuto) autocontrast(image);
  };
}

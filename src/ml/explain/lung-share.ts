/**
 * How much of an attribution map's positive mass falls inside the lung fields: a number that flags
 * shortcut learning (evidence taken from markers, borders or text outside the lungs).
 *
 * Masks come from the dataset (`<split>.masks.bin`); a dataset without masks uses a documented
 * template — two ellipses centred at (0.30·W, 0.50·H) and (0.70·W, 0.50·H) with radii 0.18·W × 0.36·H,
 * the typical lung fields of a centred PA radiograph. The share expected from attribution spread
 * uniformly over the image is the mask's area fraction, reported alongside as the baseline.
 *
 * Owns: the share, the template and map resizing. Does not own: computing attributions.
 */

/** Bilinear resize of a row-major map (pixel centres aligned, like tf.image.resizeBilinear). */
export function resizeMap(map: Float32Array, h: number, w: number, outH: number, outW: number): Float32Array {
  const out = new Float32Array(outH * outW);
  for (let y = 0; y < outH; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * h) / outH - 0.5, 0), h - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = sy - y0;
    for (let x = 0; x < outW; x++) {
      const sx = Math.min(Math.max(((x + 0.5) * w) / outW - 0.5, 0), w - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, w - 1);
      const fx = sx - x0;
      const top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
      const bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
      out[y * outW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The template lung mask (1 inside, 0 outside) for images without a dataset mask. */
export function templateLungMask(h: number, w: number): Uint8Array {
  const mask = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = [0.3, 0.7].some(
        (cx) => ((x + 0.5 - cx * w) / (0.18 * w)) ** 2 + ((y + 0.5 - 0.5 * h) / (0.36 * h)) ** 2 <= 1,
      );
      mask[y * w + x] = inside ? 1 : 0;
    }
  }
  return mask;
}

/** Share of Σ max(a, 0) inside the mask (nonzero = lung); null when there is no positive attribution. */
export function lungShare(attribution: Float32Array, mask: ArrayLike<number>): number | null {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < attribution.length; i++) {
    const a = attribution[i];
    if (a <= 0) continue;
    total += a;
    if (mask[i] > 0) inside += a;
  }
  return total > 0 ? inside / total : null;
}

/** Fraction of the image covered by the mask. */
export function maskArea(mask: ArrayLike<number>): number {
  let inside = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > 0) inside++;
  return mask.length === 0 ? 0 : inside / mask.length;
}

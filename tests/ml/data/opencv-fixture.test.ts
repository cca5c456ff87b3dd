// The project's equalise + blur (the preprocess chain after resizing) against OpenCV's outputs committed
// in tests/fixtures/opencv (regenerate with tests/fixtures/opencv/make.py; the manifest records the
// OpenCV version), so a drift from cv2.equalizeHist / cv2.GaussianBlur fails `npm test`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeGray } from '../../../src/ml/data/image/decode.js';
import { enhance } from '../../../src/ml/data/preprocess/pixels.js';
import { parsePreprocessParams } from '../../../src/ml/data/preprocess/options.js';

const dir = fileURLToPath(new URL('../../fixtures/opencv/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as { opencv: string; inputs: string[] };
const load = (file: string) => decodeGray(new Uint8Array(readFileSync(`${dir}${file}`)), file);

/** Pixels that differ, and the largest difference. */
function diff(ours: Uint8Array, ref: Uint8Array): { differing: number; max: number } {
  expect(ours.length).toBe(ref.length);
  let differing = 0;
  let max = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    if (d > 0) differing++;
    max = Math.max(max, d);
  }
  return { differing, max };
}

// maxDiff: equalisation and the default blur (5, sigma 0: OpenCV's fixed small-kernel table) are
// bit-exact; with an explicit sigma OpenCV rounds its fixed-point kernel differently, ±1 on some pixels.
const chains = [
  { out: 'eq', params: { equalize: 'global', blur_ksize: 0 }, maxDiff: 0 },
  { out: 'eq-blur5', params: { equalize: 'global', blur_ksize: 5, blur_sigma: 0 }, maxDiff: 0 },
  { out: 'eq-blur9s2', params: { equalize: 'global', blur_ksize: 9, blur_sigma: 2 }, maxDiff: 1 },
] as const;

describe(`preprocessing matches OpenCV ${manifest.opencv} on the committed fixture`, () => {
  it('has synthetic and real-derived inputs', () => {
    expect(manifest.inputs.filter((n) => n.startsWith('real-'))).toHaveLength(2);
    expect(manifest.inputs.length).toBeGreaterThanOrEqual(6);
  });
  for (const chain of chains) {
    it.each(manifest.inputs)(`${chain.out}: %s within ${chain.maxDiff}`, async (name) => {
      const input = await load(`${name}.in.png`);
      const ref = await load(`${name}.${chain.out}.png`);
      const ours = enhance(input, parsePreprocessParams({ size: input.width, ...chain.params }));
      const d = diff(ours.data, ref.data);
      expect(d.max).toBeLessThanOrEqual(chain.maxDiff);
      // a ±1 rounding difference stays rare: at most a quarter of the pixels (measured: ≤ 1,020 of 4,096)
      expect(d.differing).toBeLessThanOrEqual(chain.maxDiff === 0 ? 0 : ours.data.length / 4);
    });
  }
});

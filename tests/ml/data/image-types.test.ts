// Every common radiograph file type goes through the decode path (sharp, or the 8-bit gray PNG fast path)
// to the same gray values: PNG 8/16-bit gray, gray+alpha, RGB, RGB 16-bit, RGBA, palette, interlaced;
// JPEG gray, RGB, progressive, CMYK; any size and aspect; extensions in any case through a reader.
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeGray } from '../../../src/ml/data/image/decode.js';
import { parsePreprocessParams } from '../../../src/ml/data/preprocess/options.js';
import { preprocessImage } from '../../../src/ml/data/preprocess/pixels.js';
import { readDataset } from '../../../src/ml/data/readers/index.js';
import { parseCsvMapping } from '../../../src/ml/data/mapping/mapping.js';
import { put, tempDir } from './fixtures.js';
import { encodePng } from './png-writer.js';

const W = 37;
const H = 23;
const GRAY = 120;

function raw(
  channels: 1 | 2 | 3 | 4,
  value: readonly number[],
): { data: Buffer; raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 } } {
  return {
    data: Buffer.from(Array.from({ length: W * H * channels }, (_, i) => value[i % channels])),
    raw: { width: W, height: H, channels },
  };
}
const img = (channels: 1 | 2 | 3 | 4, value: readonly number[]): Sharp => {
  const r = raw(channels, value);
  return sharp(r.data, { raw: r.raw });
};

/** name → bytes of a flat GRAY image in that encoding, and how far the decoded gray may be from GRAY. */
const KINDS: Record<string, [() => Promise<Buffer>, number]> = {
  'gray 8-bit PNG (fast path)': [async () => encodePng(new Array(W * H).fill(GRAY), W, H), 0],
  'gray 16-bit PNG': [async () => encodePng(new Array(W * H).fill(GRAY * 257), W, H, 16), 0],
  'gray+alpha PNG': [() => img(2, [GRAY, 255]).png().toBuffer(), 0],
  'RGB PNG': [() => img(3, [GRAY, GRAY, GRAY]).png().toBuffer(), 0],
  'RGB 16-bit PNG': [() => img(3, [GRAY, GRAY, GRAY]).toColourspace('rgb16').png().toBuffer(), 1],
  'RGBA PNG (alpha dropped)': [() => img(4, [GRAY, GRAY, GRAY, 90]).png().toBuffer(), 0],
  'palette PNG': [() => img(3, [GRAY, GRAY, GRAY]).png({ palette: true }).toBuffer(), 0],
  'interlaced PNG': [() => img(1, [GRAY]).png({ progressive: true }).toBuffer(), 0],
  'gray JPEG': [() => img(1, [GRAY]).jpeg().toBuffer(), 2],
  'RGB JPEG': [() => img(3, [GRAY, GRAY, GRAY]).jpeg().toBuffer(), 2],
  'progressive JPEG': [() => img(3, [GRAY, GRAY, GRAY]).jpeg({ progressive: true }).toBuffer(), 2],
  // CMYK goes through libvips' colour management, so the gray is only close
  'CMYK JPEG': [() => img(3, [GRAY, GRAY, GRAY]).toColourspace('cmyk').jpeg().toBuffer(), 16],
};

describe('decoding every common image type', () => {
  for (const [kind, [make, tolerance]] of Object.entries(KINDS)) {
    it(`${kind}: ${W}×${H}, one gray channel, within ${tolerance} of ${GRAY}`, async () => {
      const g = await decodeGray(await make(), `x/${kind}`);
      expect([g.width, g.height, g.data.length]).toEqual([W, H, W * H]);
      const off = Math.max(...Array.from(g.data, (v) => Math.abs(v - GRAY)));
      expect(off).toBeLessThanOrEqual(tolerance);
    });
  }

  it('colour: RGBA and RGB JPEG give the gray of the same RGB PNG', async () => {
    const rgb = await decodeGray(await img(3, [200, 100, 50]).png().toBuffer(), 'rgb.png');
    const rgba = await decodeGray(await img(4, [200, 100, 50, 30]).png().toBuffer(), 'rgba.png');
    const jpeg = await decodeGray(await img(3, [200, 100, 50]).jpeg({ quality: 100 }).toBuffer(), 'rgb.jpg');
    expect(rgba.data[0]).toBe(rgb.data[0]);
    expect(Math.abs(jpeg.data[100] - rgb.data[0])).toBeLessThanOrEqual(3);
  });

  it('any size and aspect: a 3000×2000 16-bit film and a 5×300 strip both become size×size', async () => {
    const o = parsePreprocessParams({ size: 64, equalize: 'none', blur_ksize: 0 });
    const big = encodePng(
      Array.from({ length: 3000 * 2000 }, (_, i) => (i % 3000) * 21),
      3000,
      2000,
      16,
    );
    expect(await preprocessImage(big, 'big.png', o)).toHaveLength(64 * 64);
    const strip = await sharp(Buffer.alloc(5 * 300, 77), { raw: { width: 5, height: 300, channels: 1 } })
      .jpeg()
      .toBuffer();
    const out = await preprocessImage(strip, 'strip.JPG', o);
    expect(out).toHaveLength(64 * 64);
    expect(Math.abs(out[2000] - 77)).toBeLessThanOrEqual(2);
  });

  it('extensions in any case are found by the readers (.JPG, .Jpeg, .PNG, .jpeg)', async () => {
    await using t = await tempDir();
    const names = ['a.JPG', 'b.Jpeg', 'c.PNG', 'd.jpeg', 'e.png'];
    for (const [k, n] of names.entries())
      await put(
        t.dir,
        `ds/${n}`,
        await img(1, [k * 40])
          .toFormat(/png/i.test(n) ? 'png' : 'jpeg')
          .toBuffer(),
      );
    await put(
      t.dir,
      'ds/list.csv',
      'file,pid,dx\n' + names.map((n, k) => `${n},p${k},${k % 2 ? 'Mass' : 'No Finding'}`).join('\n'),
    );
    const csv = parseCsvMapping({ file: 'list.csv', path: 'file', patient: 'pid', labels: 'dx' });
    const r = await readDataset({ projectRoot: t.dir, root: 'ds', format: 'csv', official: false, csv });
    expect(r.bad).toEqual([]);
    expect(r.records.map((x) => path.posix.basename(x.path))).toEqual(names);
  });
});

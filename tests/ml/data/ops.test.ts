// Pixel operations against hand-computed expectations (OpenCV semantics; see src/ml/data/image/ops.ts).
import { describe, expect, it } from 'vitest';
import {
  clahe,
  equalizeHist,
  gaussianBlur,
  gaussianKernel,
  reflect101,
  resizeArea,
  roundHalfEven,
  type Gray,
} from '../../../src/ml/data/image/ops.js';
import { Sfc32 } from '../../../src/shared/rng.js';

const gray = (data: number[], width: number, height: number): Gray => ({ data: Uint8Array.from(data), width, height });

describe('equalizeHist', () => {
  it('maps the cumulative histogram like cv2.equalizeHist', () => {
    // hist: 10→2, 20→1, 30→1; first = 10 (count 2), scale = 255 / (4 - 2) = 127.5
    // lut[10] = 0, lut[20] = round(1 * 127.5) = 128 (half to even), lut[30] = round(2 * 127.5) = 255
    const out = equalizeHist(gray([10, 10, 20, 30], 2, 2));
    expect([...out.data]).toEqual([0, 0, 128, 255]);
  });

  it('spreads a 3-level image over the full range', () => {
    // hist: 50→4, 100→4, 200→8; scale = 255 / 12 = 21.25; lut[100] = round(85) = 85, lut[200] = 255
    const data = [...Array(4).fill(50), ...Array(4).fill(100), ...Array(8).fill(200)];
    expect([...equalizeHist(gray(data, 4, 4)).data]).toEqual([
      ...Array(4).fill(0),
      ...Array(4).fill(85),
      ...Array(8).fill(255),
    ]);
  });

  it('leaves a flat image flat (OpenCV keeps its value)', () => {
    expect([...equalizeHist(gray([77, 77, 77, 77], 2, 2)).data]).toEqual([77, 77, 77, 77]);
  });

  it('rounds half to even like cvRound', () => {
    expect([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, 2, 3]);
  });
});

describe('gaussianBlur', () => {
  it('uses OpenCV fixed kernels for sigma 0 and small sizes, and its sigma rule otherwise', () => {
    expect(gaussianKernel(5, 0)).toEqual([0.0625, 0.25, 0.375, 0.25, 0.0625]);
    const k9 = gaussianKernel(9, 0); // sigma = 0.3*((9-1)*0.5-1)+0.8 = 1.7
    const raw = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((i) => Math.exp(-(i * i) / (2 * 1.7 * 1.7)));
    const sum = raw.reduce((a, b) => a + b, 0);
    k9.forEach((v, i) => expect(v).toBeCloseTo(raw[i] / sum, 12));
  });

  it('reflects borders as BORDER_REFLECT_101', () => {
    expect([-2, -1, 0, 4, 5, 6].map((i) => reflect101(i, 5))).toEqual([2, 1, 0, 4, 3, 2]);
    expect(reflect101(-7, 3)).toBe(1);
  });

  it('blurs a single bright pixel into the separable binomial kernel', () => {
    const data = new Array(49).fill(0);
    data[24] = 255; // centre of 7×7
    const out = gaussianBlur(gray(data, 7, 7), 5, 0);
    const k = [1, 4, 6, 4, 1];
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 7; x++) {
        const w = Math.abs(x - 3) <= 2 && Math.abs(y - 3) <= 2 ? k[x - 1] * k[y - 1] : 0;
        expect(out.data[y * 7 + x]).toBe(Math.floor((255 * w + 128) / 256));
      }
    }
  });

  it('handles the border of a row by reflection (hand-computed)', () => {
    // 1-row image [0, 0, 160]: x=2 sees 0,0,160,0,0 → 160*6/16 = 60; x=1 sees 0,0,0,160,0 → 40; x=0 sees 160,0,0,0,160 → 20.
    const out = gaussianBlur(gray([0, 0, 160], 3, 1), 5, 0);
    expect([...out.data]).toEqual([20, 40, 60]);
  });

  it('keeps a flat image flat and ksize 1 is the identity', () => {
    expect([...gaussianBlur(gray(new Array(16).fill(200), 4, 4), 5, 0).data]).toEqual(new Array(16).fill(200));
    expect([...gaussianBlur(gray([1, 2, 3, 4], 2, 2), 1, 0).data]).toEqual([1, 2, 3, 4]);
  });
});

/**
 * The blur as first written (one generic loop through the reflected index tables, float64 sums in kernel
 * order): the optimised gaussianBlur must give the same bytes, since cached and committed data depend on them.
 */
function gaussianBlurReference(img: Gray, ksize: number, sigma: number): Uint8Array {
  const { data, width: w, height: h } = img;
  const kernel = gaussianKernel(ksize, sigma);
  const r = (ksize - 1) / 2;
  const exactBits = sigma <= 0 && ksize <= 7 ? ksize - 1 : 0;
  const kh = exactBits > 0 ? kernel.map((v) => Math.round(v * 2 ** exactBits)) : kernel;
  const xs = Array.from({ length: w + 2 * r }, (_, i) => reflect101(i - r, w));
  const ys = Array.from({ length: h + 2 * r }, (_, i) => reflect101(i - r, h));
  const tmp = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let k = 0; k < ksize; k++) acc += data[y * w + xs[x + k]] * kh[k];
      tmp[y * w + x] = acc;
    }
  const out = new Uint8Array(w * h);
  const denom = exactBits > 0 ? 2 ** (2 * exactBits) : 1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let acc = 0;
      for (let k = 0; k < ksize; k++) acc += tmp[ys[y + k] * w + x] * kh[k];
      const v = exactBits > 0 ? Math.floor((acc + denom / 2) / denom) : Math.round(acc);
      out[y * w + x] = Math.min(255, Math.max(0, v));
    }
  return out;
}

describe('equalizeHist on random images', () => {
  it('gives the bytes of a plain histogram → cumulative LUT, for any length (4-way histogram tail)', () => {
    const rng = new Sfc32(9);
    for (const [w, h] of [
      [1, 1],
      [3, 1],
      [5, 3],
      [64, 64],
      [37, 11],
    ]) {
      // few distinct values, in runs, like a radiograph's background
      const img = gray(
        Array.from({ length: w * h }, () => 40 * Math.floor(rng.next() * 5)),
        w,
        h,
      );
      const hist = new Array(256).fill(0);
      for (const v of img.data) hist[v]++;
      let first = 0;
      while (first < 255 && hist[first] === 0) first++;
      const scale = Math.fround(255 / (w * h - hist[first]));
      let sum = 0;
      const lut = hist.map((c, j) => (j <= first ? 0 : Math.min(255, roundHalfEven(Math.fround((sum += c) * scale)))));
      const expected = hist[first] === w * h ? [...img.data] : [...img.data].map((v) => lut[v]);
      expect([...equalizeHist(img).data]).toEqual(expected);
    }
  });
});

describe('gaussianBlur fast paths', () => {
  const rng = new Sfc32(5);
  const shapes = [
    [1, 1],
    [2, 3],
    [3, 1],
    [4, 4],
    [5, 9],
    [7, 2],
    [17, 13],
    [64, 64],
    [130, 37],
  ];
  const kernels = [
    [3, 0],
    [5, 0],
    [7, 0],
    [9, 0],
    [5, 1.5],
    [9, 2],
  ];
  for (const [w, h] of shapes) {
    it(`gives the reference bytes on random ${w}×${h} images for every kernel`, () => {
      const img = gray(
        Array.from({ length: w * h }, () => Math.floor(rng.next() * 256)),
        w,
        h,
      );
      for (const [k, sigma] of kernels)
        expect(gaussianBlur(img, k, sigma).data).toEqual(gaussianBlurReference(img, k, sigma));
    });
  }
});

describe('resizeArea', () => {
  it('averages whole blocks when shrinking by an integer factor', () => {
    const img = gray([0, 10, 100, 200, 20, 30, 50, 50, 1, 1, 3, 3, 1, 1, 3, 3], 4, 4);
    expect([...resizeArea(img, 2, 2).data]).toEqual([15, 100, 1, 3]);
  });

  it('halves by 2×2 block means rounded half up (the SIMD path of OpenCV), for any shape', () => {
    const rng = new Sfc32(3);
    for (const [w, h] of [
      [2, 2],
      [14, 6],
      [256, 34],
    ]) {
      const img = gray(
        Array.from({ length: w * h }, () => Math.floor(rng.next() * 256)),
        w,
        h,
      );
      const expected: number[] = [];
      for (let y = 0; y < h; y += 2)
        for (let x = 0; x < w; x += 2) {
          const at = (dx: number, dy: number): number => img.data[(y + dy) * w + x + dx];
          expected.push(Math.floor((at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) / 4));
        }
      expect([...resizeArea(img, w / 2, h / 2).data]).toEqual(expected);
    }
  });

  it('weights partial pixels by area for non-integer factors', () => {
    // 3 → 2: out0 = (a + b/2) / 1.5, out1 = (b/2 + c) / 1.5
    expect([...resizeArea(gray([30, 60, 90], 3, 1), 2, 1).data]).toEqual([40, 80]);
  });

  it('changes the aspect ratio when asked (no padding)', () => {
    const out = resizeArea(gray(new Array(8 * 4).fill(9), 8, 4), 4, 4);
    expect(out.width).toBe(4);
    expect([...out.data]).toEqual(new Array(16).fill(9));
  });
});

describe('clahe', () => {
  it('stretches a low-contrast image, but less than global equalisation (the clip limit)', () => {
    const w = 32;
    const data = Array.from({ length: w * w }, (_, i) => 100 + Math.floor(((i % w) / w) * 20)); // 100..119 left→right
    const img = gray(data, w, w);
    const sd = (v: Uint8Array): number => {
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    // One tile of 1,024 pixels: clip limits 1 and 3 allow 4 and 12 pixels per histogram bin.
    const low = sd(clahe(img, 1, 1).data);
    const high = sd(clahe(img, 3, 1).data);
    expect(low).toBeGreaterThan(1.5 * sd(img.data));
    expect(high).toBeGreaterThan(low);
    expect(high).toBeLessThan(sd(equalizeHist(img).data));
  });

  it('maps a flat image to one value', () => {
    const out = clahe(gray(new Array(64).fill(80), 8, 8), 2, 2).data;
    expect(new Set(out).size).toBe(1);
  });
});

// Preprocessing of single images: decoding (16-bit, RGB, corrupt, truncated) and the per-image cache.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/ml/params/index.js';
import sharp from 'sharp';
import { decodeGray } from '../../../src/ml/data/image/decode.js';
import { decodeGrayPng8 } from '../../../src/ml/data/image/png-fast.js';
import { handle, type ImageTask } from '../../../src/ml/data/preprocess/image-task.js';
import { parsePreprocessParams } from '../../../src/ml/data/preprocess/options.js';
import { preprocessImage } from '../../../src/ml/data/preprocess/pixels.js';
import { jpegBytes, pngBytes, put, tempDir } from './fixtures.js';
import { encodePng } from './png-writer.js';

describe('decodeGray', () => {
  it('scales 16-bit samples to 8 bits (within one level of v/257)', async () => {
    const values = [0, 257, 1000, 20000, 32896, 40000, 60000, 65535];
    const img = await decodeGray(encodePng(values, 4, 2, 16), 'x16.png');
    expect([img.width, img.height]).toEqual([4, 2]);
    img.data.forEach((v, i) => expect(Math.abs(v - values[i] / 257)).toBeLessThanOrEqual(1));
  });

  it('turns RGB with equal channels into the same gray', async () => {
    const img = await decodeGray(encodePng([10, 10, 10, 200, 200, 200], 2, 1, 8, 3), 'rgb.png');
    expect([...img.data]).toEqual([10, 200]);
  });

  it('names the file of a corrupt PNG and of a truncated JPEG', async () => {
    const png = pngBytes(1, 32, 32);
    const corrupt = Buffer.concat([png.subarray(0, 40), Buffer.alloc(30, 7), png.subarray(70)]);
    await expect(decodeGray(corrupt, 'data/raw/images/bad.png')).rejects.toThrow(InputError);
    await expect(decodeGray(corrupt, 'data/raw/images/bad.png')).rejects.toThrow(
      /^cannot decode data\/raw\/images\/bad.png: .*replace it or remove it/,
    );
    const jpeg = await jpegBytes(1, 64, 64);
    await expect(
      decodeGray(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'k/train/NORMAL/IM-0001-0001.jpeg'),
    ).rejects.toThrow(/cannot decode k\/train\/NORMAL\/IM-0001-0001.jpeg/);
  });
});

describe('preprocessImage', () => {
  it('resizes, equalises and blurs in that order (flat input stays flat)', async () => {
    const flat = encodePng(new Array(16 * 16).fill(90), 16, 16);
    const out = await preprocessImage(flat, 'flat.png', parsePreprocessParams({ size: 8 }));
    expect([...out]).toEqual(new Array(64).fill(90));
    // Two halves 40 | 200 → resize keeps them, equalise → 0 | 255, blur (binomial, reflect-101) softens the edge.
    const halves = encodePng(
      Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 40 : 200)),
      8,
      8,
    );
    const row = [...(await preprocessImage(halves, 'halves.png', parsePreprocessParams({ size: 8 })))].slice(0, 8);
    // Weights [1,4,6,4,1]/16 over [0,0,0,0,255,255,255,255]: x=2 → 255·1/16 = 15.9 → 16, x=3 → 255·5/16 = 79.7 → 80,
    // x=4 → 255·11/16 = 175.3 → 175, x=5 → 255·15/16 = 239.1 → 239 (rows are equal, so the vertical pass keeps them).
    expect(row).toEqual([0, 0, 16, 80, 175, 239, 255, 255]);
  });

  it('validates params with one wording', () => {
    expect(() => parsePreprocessParams({ size: '10' })).toThrow(
      "expected integer between 8 and 2048 for preprocess.size, got '10' (string)",
    );
    expect(() => parsePreprocessParams({ blur_ksize: 4 })).toThrow(
      "expected odd integer (or 0 for no blur) for preprocess.blur_ksize, got '4' (number)",
    );
    expect(() => parsePreprocessParams({ equalize: 'adaptive' })).toThrow(
      "expected one of global | clahe | none for preprocess.equalize, got 'adaptive' (string)",
    );
  });
});

describe('per-image cache', () => {
  it('misses once, then hits; a changed option or changed content misses again', async () => {
    await using t = await tempDir();
    await put(t.dir, 'a.png', pngBytes(1, 20, 20));
    const o = parsePreprocessParams({ size: 8 });
    const task = (options = o, run = 'r1'): ImageTask => ({
      file: path.join(t.dir, 'a.png'),
      display: 'a.png',
      mask: null,
      options,
      cache: { dir: path.join(t.dir, 'cache'), run },
    });
    const first = await handle(task());
    const second = await handle(task());
    expect([first.hits, first.misses, second.hits, second.misses]).toEqual([0, 1, 1, 0]);
    expect(second.pixels).toEqual(first.pixels);
    const blur3 = await handle(task({ ...o, blurKsize: 3 }));
    expect(blur3.misses).toBe(1);
    // a later run reads what this one wrote from disk
    const next = await handle(task(o, 'r2'));
    expect([next.hits, next.pixels]).toEqual([1, first.pixels]);
    await put(t.dir, 'a.png', pngBytes(2, 20, 20));
    expect((await handle(task(o, 'r2'))).misses).toBe(1);
    const packs = (await readdir(path.join(t.dir, 'cache'))).filter((f) => f.endsWith('.pack'));
    expect(packs).toHaveLength(2); // one per run and thread
  });

  it('treats a record cut short by a crash, or with damaged bytes, as a miss and keeps the others', async () => {
    await using t = await tempDir();
    await put(t.dir, 'a.png', pngBytes(1, 20, 20));
    await put(t.dir, 'b.png', pngBytes(2, 20, 20));
    const o = parsePreprocessParams({ size: 8 });
    const dir = path.join(t.dir, 'cache');
    const task = (name: string, run: string): ImageTask => ({
      file: path.join(t.dir, name),
      display: name,
      mask: null,
      options: o,
      cache: { dir, run },
    });
    const a = await handle(task('a.png', 'r1'));
    const b = await handle(task('b.png', 'r1'));
    const [pack] = (await readdir(dir)).filter((f) => f.endsWith('.pack'));
    const bytes = await readFile(path.join(dir, pack));
    // b's record is last: cut its final byte (a crash mid-write)
    await writeFile(path.join(dir, pack), bytes.subarray(0, bytes.length - 1));
    const [a2, b2] = [await handle(task('a.png', 'r2')), await handle(task('b.png', 'r2'))];
    expect([a2.hits, b2.hits]).toEqual([1, 0]);
    expect([a2.pixels, b2.pixels]).toEqual([a.pixels, b.pixels]);
    // flip one pixel byte of a's record (the first, 44-byte header): the CRC catches it
    const damaged = Buffer.from(bytes);
    damaged[44 + 10] ^= 1;
    await writeFile(path.join(dir, pack), damaged);
    const a3 = await handle(task('a.png', 'r3'));
    expect([a3.hits, a3.pixels]).toEqual([0, a.pixels]);
  });

  it('returns a clear error for a missing file instead of throwing', async () => {
    await using t = await tempDir();
    const res = await handle({
      file: path.join(t.dir, 'gone.png'),
      display: 'data/raw/images/gone.png',
      mask: null,
      options: parsePreprocessParams({}),
      cache: null,
    });
    expect(res.error).toMatch(/^cannot read data\/raw\/images\/gone.png \(ENOENT\)/);
  });
});

describe('fast 8-bit gray PNG path', () => {
  it('gives exactly the pixels sharp gives, whatever PNG filters the encoder chose', async () => {
    const w = 37,
      h = 23;
    const px = Uint8Array.from(
      { length: w * h },
      (_, i) => (Math.sin(i * 0.37) * 100 + (i % w) * 3 + ((i * 7919) % 13)) & 255,
    );
    for (const adaptiveFiltering of [true, false]) {
      const png = await sharp(px, { raw: { width: w, height: h, channels: 1 } })
        .toColourspace('b-w')
        .png({ adaptiveFiltering, compressionLevel: 9 })
        .toBuffer();
      const fast = decodeGrayPng8(png);
      expect(fast).not.toBeNull();
      expect(Buffer.from(fast?.data ?? []).equals(Buffer.from(px))).toBe(true);
    }
  });

  it('undoes each PNG row filter (None, Sub, Up, Average, Paeth), on the first row and below it', () => {
    const w = 9,
      h = 11;
    const px = Uint8Array.from({ length: w * h }, (_, i) => (i * 97 + ((i * i) % 31) * 7) & 255);
    const at = (x: number, y: number): number => (x < 0 || y < 0 ? 0 : px[y * w + x]);
    const paeth = (a: number, b: number, c: number): number => {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    };
    for (let first = 0; first < 5; first++) {
      // row y uses filter (first + y) % 5, so every filter meets row 0 once and rows below it
      const raw = Buffer.alloc((w + 1) * h);
      for (let y = 0; y < h; y++) {
        const f = (first + y) % 5;
        raw[y * (w + 1)] = f;
        for (let x = 0; x < w; x++) {
          const [a, b, c] = [at(x - 1, y), at(x, y - 1), at(x - 1, y - 1)];
          const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][f];
          raw[y * (w + 1) + 1 + x] = (px[y * w + x] - pred) & 255;
        }
      }
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(w, 0);
      ihdr.writeUInt32BE(h, 4);
      ihdr[8] = 8;
      const chunk = (type: string, data: Buffer): Buffer => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(data.length);
        return Buffer.concat([len, Buffer.from(type, 'ascii'), data, Buffer.alloc(4)]); // CRC not checked
      };
      const png = Buffer.concat([
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk('IHDR', ihdr),
        chunk('IDAT', deflateSync(raw)),
        chunk('IEND', Buffer.alloc(0)),
      ]);
      expect(Buffer.from(decodeGrayPng8(png)?.data ?? []).equals(Buffer.from(px))).toBe(true);
    }
  });

  it('leaves other PNGs (16-bit, RGB) and damaged files to sharp', () => {
    expect(decodeGrayPng8(encodePng([1, 2, 3, 4], 2, 2, 16))).toBeNull();
    expect(decodeGrayPng8(encodePng([1, 2, 3, 4, 5, 6], 2, 1, 8, 3))).toBeNull();
    const png = encodePng(new Array(64).fill(9), 8, 8);
    expect(decodeGrayPng8(png.subarray(0, png.length - 20))).toBeNull();
  });
});

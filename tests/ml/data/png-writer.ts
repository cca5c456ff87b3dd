// Test helper: a minimal PNG encoder (grayscale 8/16-bit or RGB 8-bit, no filtering) so tests can build
// exact inputs, e.g. 16-bit radiographs, without depending on how sharp writes them.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** Encodes row-major samples; `bitDepth` 16 takes values 0..65535, `channels` 1 (gray) or 3 (RGB). */
export function encodePng(
  samples: ArrayLike<number>,
  width: number,
  height: number,
  bitDepth: 8 | 16 = 8,
  channels: 1 | 3 = 1,
): Buffer {
  const bps = bitDepth / 8;
  const stride = width * channels * bps;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    for (let i = 0; i < width * channels; i++) {
      const v = samples[y * width * channels + i];
      const off = y * (stride + 1) + 1 + i * bps;
      if (bitDepth === 16) raw.writeUInt16BE(v, off);
      else raw[off] = v;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = channels === 1 ? 0 : 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

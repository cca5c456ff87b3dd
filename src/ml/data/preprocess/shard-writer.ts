/**
 * Packs one split's preprocessed images into fixed-size shard files as results arrive, in any order,
 * holding only the shards that are still incomplete (the worker pool dispatches in order, so that is
 * about one shard per worker thread), so memory does not grow with the split.
 *
 * Owns: shard boundaries (`imagesPerShard`), the bytes of the shard files and their index entries, and
 * the pixel histogram of what it packed (for the train split's mean/std). Does not own: the index file
 * or the atomic swap of the folder (run.ts).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { shardFileNames, type ShardEntry, type SplitIndex } from '../preprocessed-format.js';

interface OpenShard {
  pixels: Uint8Array;
  masks: Uint8Array | null;
  filled: number;
}

export class ShardWriter {
  /** Counts of pixel values 0..255 over every image put so far. */
  readonly histogram = new Float64Array(256);
  private readonly open = new Map<number, OpenShard>();
  private readonly done: ShardEntry[] = [];

  constructor(
    private readonly dir: string,
    private readonly split: SplitIndex['split'],
    private readonly total: number,
    private readonly perShard: number,
    private readonly imageBytes: number,
    private readonly withMasks: boolean,
  ) {}

  /** Number of images in shard `k`. */
  private countOf(k: number): number {
    return Math.min(this.perShard, this.total - k * this.perShard);
  }

  /** Stores image `i` of the split (and its mask); writes its shard once the shard is complete. */
  async put(i: number, pixels: Uint8Array, mask: Uint8Array | null): Promise<void> {
    const k = Math.floor(i / this.perShard);
    let shard = this.open.get(k);
    if (!shard) {
      const bytes = this.countOf(k) * this.imageBytes;
      shard = { pixels: new Uint8Array(bytes), masks: this.withMasks ? new Uint8Array(bytes) : null, filled: 0 };
      this.open.set(k, shard);
    }
    const at = (i - k * this.perShard) * this.imageBytes;
    shard.pixels.set(pixels, at);
    if (mask && shard.masks) shard.masks.set(mask, at);
    for (let p = 0; p < pixels.length; p++) this.histogram[pixels[p]]++;
    shard.filled++;
    if (shard.filled === this.countOf(k)) {
      this.open.delete(k);
      await this.write(k, shard);
    }
  }

  private async write(k: number, shard: OpenShard): Promise<void> {
    const names = shardFileNames(this.split, k);
    await writeFile(path.join(this.dir, names.pixels), shard.pixels);
    if (shard.masks) await writeFile(path.join(this.dir, names.masks), shard.masks);
    this.done.push({
      file: names.pixels,
      first: k * this.perShard,
      count: this.countOf(k),
      sha256: createHash('sha256').update(shard.pixels).digest('hex'),
      masks: shard.masks ? names.masks : null,
    });
  }

  /** The index entries in shard order; throws if an image never arrived (a bug in the caller). */
  entries(): ShardEntry[] {
    const expected = Math.ceil(this.total / this.perShard);
    if (this.open.size > 0 || this.done.length !== expected) {
      throw new Error(`${this.split}: ${this.done.length} of ${expected} shards complete`);
    }
    return [...this.done].sort((a, b) => a.first - b.first);
  }
}

/** Mean and standard deviation of pixels scaled to [0, 1], from a histogram of uint8 values. */
export function meanStdOfHistogram(hist: Float64Array): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let v = 0; v < 256; v++) {
    n += hist[v];
    sum += hist[v] * (v / 255);
    sq += hist[v] * (v / 255) ** 2;
  }
  if (n === 0) return { mean: 0, std: 0 };
  const mean = sum / n;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
}

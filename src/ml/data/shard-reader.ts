/**
 * Random access to a preprocessed split without holding its pixels: the index (ids, labels, shard
 * table) stays in memory, pixels are read per batch with positioned reads from the shard files, so the
 * memory of a reader does not grow with the split (only the index does: a few dozen bytes per image).
 *
 * Owns: opening and checking a split's shard files (and the pre-shard single-file layout), reading the
 * images of any index list as a small in-memory {@link SplitData}, and the in-memory equivalent
 * ({@link memorySource}) for images that never were a split (`xpipe predict`). Does not own: the order
 * of reads (callers; see prefetch.ts) or normalisation (dataset.ts).
 */
import { existsSync } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SplitData, SplitName } from './dataset.js';
import { masksFileName, type ImageMeta, type ShardEntry, type SplitIndex } from './preprocessed-format.js';

/** What is known about a split without reading pixels. */
export interface SplitInfo {
  split: SplitName;
  n: number;
  height: number;
  width: number;
  /** N×L multi-hot targets in label-space order. */
  labels: Float32Array;
  numLabels: number;
  ids: string[];
  patientIds: string[];
  /** Whether resized lung masks were stored (`read` then fills `masks`). */
  hasMasks: boolean;
  /** Per-image metadata (view, sex, age) aligned with `ids`, when the dataset has any. */
  meta?: ImageMeta;
}

/** A split whose images are read on demand. */
export interface SplitSource extends SplitInfo {
  /** Images `indices` (any order, repeats allowed) as an in-memory split of `indices.length` images. */
  read(indices: readonly number[]): Promise<SplitData>;
  close(): Promise<void>;
}

/** Targets of `labels` rows as one N×L array (checked to be rectangular). */
function packLabels(file: string, labels: number[][]): { labels: Float32Array; numLabels: number } {
  const numLabels = labels[0]?.length ?? 0;
  const out = new Float32Array(labels.length * numLabels);
  labels.forEach((row, i) => {
    if (row.length !== numLabels)
      throw new Error(`${file}: label row ${i} has ${row.length} entries, not ${numLabels}`);
    out.set(row, i * numLabels);
  });
  return { labels: out, numLabels };
}

/** Shards of an index; the pre-shard layout is one shard named `<split>.bin`. */
function shardTable(dir: string, index: SplitIndex): ShardEntry[] {
  if (index.shards) return index.shards;
  const masks = existsSync(path.join(dir, masksFileName(index.split))) ? masksFileName(index.split) : null;
  return [{ file: `${index.split}.bin`, first: 0, count: index.shape[0], sha256: '', masks }];
}

/** Opens `<split>.json` of `dir` and checks every shard file's size against the index. */
export async function openSplit(dir: string, split: SplitName): Promise<SplitSource> {
  const indexFile = path.join(dir, `${split}.json`);
  let index: SplitIndex;
  try {
    index = JSON.parse(await readFile(indexFile, 'utf8')) as SplitIndex;
  } catch (err) {
    throw new Error(`cannot read ${indexFile}: ${(err as Error).message}`, { cause: err });
  }
  const [n, height, width] = index.shape;
  if (index.labels.length !== n || index.ids.length !== n) {
    throw new Error(
      `${split}.json lists ${index.ids.length} ids and ${index.labels.length} label rows for ${n} images`,
    );
  }
  const shards = shardTable(dir, index);
  const imageBytes = height * width;
  let expectFirst = 0;
  const handles: { pixels: FileHandle; masks: FileHandle | null }[] = [];
  const closeAll = (): Promise<unknown> =>
    Promise.all(handles.flatMap((h) => [h.pixels.close(), ...(h.masks ? [h.masks.close()] : [])]));
  try {
    for (const s of shards) {
      if (s.first !== expectFirst)
        throw new Error(`${split}.json: shard ${s.file} starts at ${s.first}, expected ${expectFirst}`);
      expectFirst += s.count;
      const pixels = await open(path.join(dir, s.file), 'r');
      const masks = s.masks ? await open(path.join(dir, s.masks), 'r') : null;
      handles.push({ pixels, masks });
      for (const [name, h] of [[s.file, pixels] as const, [s.masks, masks] as const]) {
        const size = h ? (await h.stat()).size : s.count * imageBytes;
        if (size !== s.count * imageBytes) {
          throw new Error(`${name} holds ${size} bytes, expected ${s.count}×${height}×${width} from ${split}.json`);
        }
      }
    }
    if (expectFirst !== n) throw new Error(`${split}.json: its shards hold ${expectFirst} images, not ${n}`);
  } catch (err) {
    await closeAll();
    throw err;
  }
  for (const [column, values] of Object.entries(index.meta ?? {})) {
    if (!Array.isArray(values) || values.length !== n) {
      await closeAll();
      throw new Error(`${split}.json: meta.${column} does not hold one value per image (${n}); re-run preprocess`);
    }
  }
  const meta = index.meta;
  const hasMasks = shards.some((s) => s.masks !== null);
  const { labels, numLabels } = packLabels(`${split}.json`, index.labels);
  const info: SplitInfo = {
    split,
    n,
    height,
    width,
    labels,
    numLabels,
    ids: index.ids,
    patientIds: index.patientIds,
    hasMasks,
    ...(meta ? { meta } : {}),
  };
  const firsts = shards.map((s) => s.first);

  const shardOf = (i: number): number => {
    let lo = 0;
    let hi = firsts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (firsts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };

  const read = async (indices: readonly number[]): Promise<SplitData> => {
    const B = indices.length;
    const pixels = new Uint8Array(B * imageBytes);
    const masks = hasMasks ? new Uint8Array(B * imageBytes) : null;
    const reads: Promise<unknown>[] = [];
    // Runs of consecutive indices in one shard become one read (sequential scans read whole batches).
    for (let b = 0; b < B;) {
      const i = indices[b];
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new Error(`${split}: image index ${i} out of range 0..${n - 1}`);
      const k = shardOf(i);
      const shard = shards[k];
      let run = 1;
      while (b + run < B && indices[b + run] === i + run && i + run < shard.first + shard.count) run++;
      const position = (i - shard.first) * imageBytes;
      const h = handles[k];
      reads.push(h.pixels.read(pixels, b * imageBytes, run * imageBytes, position));
      if (masks && h.masks) reads.push(h.masks.read(masks, b * imageBytes, run * imageBytes, position));
      b += run;
    }
    await Promise.all(reads);
    const pick = <T>(all: readonly T[]): T[] => indices.map((i) => all[i]);
    const rows = new Float32Array(B * numLabels);
    indices.forEach((i, b) => rows.set(labels.subarray(i * numLabels, (i + 1) * numLabels), b * numLabels));
    return {
      split,
      n: B,
      height,
      width,
      pixels,
      labels: rows,
      numLabels,
      ids: pick(index.ids),
      patientIds: pick(index.patientIds),
      masks,
      ...(meta ? { meta: pickMeta(meta, indices) } : {}),
    };
  };
  return { ...info, read, close: async () => void (await closeAll()) };
}

/** A {@link SplitSource} over a split already in memory (new images in `xpipe predict`, tests). */
export function memorySource(data: SplitData): SplitSource {
  const size = data.height * data.width;
  return {
    split: data.split,
    n: data.n,
    height: data.height,
    width: data.width,
    labels: data.labels,
    numLabels: data.numLabels,
    ids: data.ids,
    patientIds: data.patientIds,
    hasMasks: data.masks !== null,
    ...(data.meta ? { meta: data.meta } : {}),
    read: (indices) => {
      const pixels = new Uint8Array(indices.length * size);
      const masks = data.masks ? new Uint8Array(indices.length * size) : null;
      const labels = new Float32Array(indices.length * data.numLabels);
      indices.forEach((i, b) => {
        pixels.set(data.pixels.subarray(i * size, (i + 1) * size), b * size);
        masks?.set((data.masks as Uint8Array).subarray(i * size, (i + 1) * size), b * size);
        labels.set(data.labels.subarray(i * data.numLabels, (i + 1) * data.numLabels), b * data.numLabels);
      });
      const ids = indices.map((i) => data.ids[i]);
      const patientIds = indices.map((i) => data.patientIds[i]);
      const meta = data.meta ? { meta: pickMeta(data.meta, indices) } : {};
      return Promise.resolve({ ...data, n: indices.length, pixels, masks, labels, ids, patientIds, ...meta });
    },
    close: () => Promise.resolve(),
  };
}

/** The metadata columns of images `indices`, in that order. */
function pickMeta(meta: ImageMeta, indices: readonly number[]): ImageMeta {
  const pick = <T>(column: readonly T[] | undefined): T[] | undefined => column && indices.map((i) => column[i]);
  const out: ImageMeta = {};
  if (meta.view) out.view = pick(meta.view);
  if (meta.sex) out.sex = pick(meta.sex);
  if (meta.age) out.age = pick(meta.age);
  return out;
}

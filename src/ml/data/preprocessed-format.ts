/**
 * The on-disk contract between the `preprocess` stage (writer) and the model stages (readers):
 * `data/preprocessed/` holds, per split (`train`, `val`, `test`):
 *
 * - `<split>-<k>.bin` — shard k (5 digits, from 00000) of the split's packed uint8 pixels: `count`×H×W
 *   row-major (single channel), no header. Shard k holds images `first .. first+count-1` of the split in
 *   index order; every shard but the last holds exactly `imagesPerShard(shard_mb, H, W)` images, so
 *   appending images to a split rewrites only its last shard (and adds new ones). See {@link ShardEntry}.
 * - `<split>.json` — a {@link SplitIndex}; `shards` lists the shard files in order.
 * - `<split>-<k>.masks.bin` — present when any image of the split has a lung mask (`SplitIndex.masks`):
 *   uint8 like the pixel shard, the lung fields resized to the same H×W (area) and re-binarised to 0/255;
 *   all zeros for images whose mask is null. Used by `explain` to score attributions inside the lungs.
 * - Before sharding (no `shards` in the index) a split was one `<split>.bin` (+ `<split>.masks.bin`);
 *   readers still accept that layout as a single shard.
 * - `stats.json`   — a {@link PreprocessStats}, computed on the train split only.
 * - `labels.json`  — a {@link LabelSpace}.
 *
 * Labels are multi-hot vectors over `LabelSpace.labels` for every task; for `binary` there is one label
 * (e.g. `Pneumonia`), for `multiclass` exactly one entry per row is 1.
 */

import type { Task } from '../params/index.js';

export type { Task };

export interface LabelSpace {
  task: Task;
  /** Output order of the model: index i of a label vector is labels[i]. */
  labels: string[];
}

export interface SplitIndex {
  split: 'train' | 'val' | 'test';
  /** [N, H, W] of the whole split (all shards together). */
  shape: [number, number, number];
  /** Image identifiers (file names as in the dataset, e.g. `00000001_000.png`). */
  ids: string[];
  patientIds: string[];
  /** Multi-hot vectors, one per image, in `LabelSpace.labels` order. */
  labels: number[][];
  /** Paths of the source images relative to the project root (for overlays and masks). */
  sources: string[];
  /**
   * Lung-field mask paths (full-size source masks) relative to the project root, or null when the dataset
   * has none; the resized masks are in `<split>.masks.bin`, in the same order.
   */
  masks: (string | null)[];
  /**
   * Per-image metadata columns, aligned with `ids`, for subgroup metrics and embedding plots; absent when the
   * dataset has none. A column is present only when the dataset maps it (`null` = unknown for that image).
   */
  meta?: ImageMeta;
  /** The pixel shards in index order; absent in the pre-shard layout (one `<split>.bin`). */
  shards?: ShardEntry[];
}

/** One shard file of a split (see the header). */
export interface ShardEntry {
  /** File name in the preprocessed folder, e.g. `train-00000.bin`. */
  file: string;
  /** Index (in the split) of the shard's first image. */
  first: number;
  /** Images in the shard. */
  count: number;
  /** SHA-256 of the file's bytes (hex), so a changed shard is visible in the index itself. */
  sha256: string;
  /** The matching resized-mask shard, or null when the split has no masks. */
  masks: string | null;
}

/** Metadata a dataset may carry per image (split CSV columns `view`, `sex`, `age`). */
export interface ImageMeta {
  /** Projection as written in the dataset, upper-cased: `PA`, `AP`, `AP SUPINE`, `L`, … */
  view?: (string | null)[];
  sex?: ('F' | 'M' | null)[];
  /** Age in years. */
  age?: (number | null)[];
}

/** File name of a split's packed resized lung masks in the pre-shard layout (see the header). */
export function masksFileName(split: SplitIndex['split']): string {
  return `${split}.masks.bin`;
}

/** File names of shard `k` of a split: pixels and masks. */
export function shardFileNames(split: SplitIndex['split'], k: number): { pixels: string; masks: string } {
  const base = `${split}-${String(k).padStart(5, '0')}`;
  return { pixels: `${base}.bin`, masks: `${base}.masks.bin` };
}

/**
 * Images per shard for `shardMb` MiB shards of H×W images (at least 1). A pure function of the params, so
 * the shard boundaries of a split depend only on image positions: appending moves none of them.
 */
export function imagesPerShard(shardMb: number, height: number, width: number): number {
  return Math.max(1, Math.floor((shardMb * 1024 * 1024) / (height * width)));
}

export interface PreprocessStats {
  /** Mean and standard deviation of train pixels scaled to [0, 1]. */
  mean: number;
  std: number;
  size: number;
  equalize: string;
  blurKsize: number;
}

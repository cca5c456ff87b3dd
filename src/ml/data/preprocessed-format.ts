/**
 * The on-disk contract between the `preprocess` stage (writer) and the model stages (readers):
 * `data/preprocessed/` holds, per split (`train`, `val`, `test`):
 *
 * - `<split>.bin`  — packed uint8 pixels, N×H×W row-major (single channel), no header.
 * - `<split>.json` — a {@link SplitIndex}.
 * - `<split>.masks.bin` — present when any image of the split has a lung mask (`SplitIndex.masks`): uint8
 *   N×H×W like `<split>.bin`, the lung fields resized to the same H×W (area) and re-binarised to 0/255;
 *   all zeros for images whose mask is null. Used by `explain` to score attributions inside the lungs.
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
  /** [N, H, W] of the matching `.bin` file. */
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
}

/** Metadata a dataset may carry per image (split CSV columns `view`, `sex`, `age`). */
export interface ImageMeta {
  /** Projection as written in the dataset, upper-cased: `PA`, `AP`, `AP SUPINE`, `L`, … */
  view?: (string | null)[];
  sex?: ('F' | 'M' | null)[];
  /** Age in years. */
  age?: (number | null)[];
}

/** File name of a split's packed resized lung masks (see the header). */
export function masksFileName(split: SplitIndex['split']): string {
  return `${split}.masks.bin`;
}

export interface PreprocessStats {
  /** Mean and standard deviation of train pixels scaled to [0, 1]. */
  mean: number;
  std: number;
  size: number;
  equalize: string;
  blurKsize: number;
}

/**
 * In-memory images of the preprocessed format (see preprocessed-format.ts): a whole small split or one
 * batch read from shards (shard-reader.ts), and the one place that turns stored uint8 pixels into model
 * input, so training, evaluation, explanation and `xpipe predict` normalise identically.
 *
 * Owns: the in-memory `SplitData` shape, the label space and stats;
 * normalisation; building batches (optionally through an augmenter). Does not own: writing the format
 * (the preprocess stage), augmentation itself (augment.ts), sampling order (ml/train/sampler.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ImageMeta, LabelSpace, PreprocessStats, SplitIndex } from './preprocessed-format.js';
import { openSplit } from './shard-reader.js';

export type SplitName = SplitIndex['split'];

/** Images of a split held in memory: a whole split, or one batch of it (`n` = batch size). */
export interface SplitData {
  split: SplitName;
  /** Number of images. */
  n: number;
  height: number;
  width: number;
  /** N×H×W uint8 pixels, row-major. */
  pixels: Uint8Array;
  /** N×L multi-hot targets in label-space order. */
  labels: Float32Array;
  numLabels: number;
  ids: string[];
  patientIds: string[];
  /** N×H×W lung-field masks (nonzero = lung) when the preprocess stage wrote `<split>.masks.bin`. */
  masks: Uint8Array | null;
  /** Per-image metadata (view, sex, age) aligned with `ids`, when the dataset has any. */
  meta?: ImageMeta;
}

async function readJson<T>(file: string): Promise<T> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

export function loadLabelSpace(dir: string): Promise<LabelSpace> {
  return readJson<LabelSpace>(path.join(dir, 'labels.json'));
}

export function loadStats(dir: string): Promise<PreprocessStats> {
  return readJson<PreprocessStats>(path.join(dir, 'stats.json'));
}

/**
 * Reads a whole split into memory (small splits and tests; the stages stream batches through
 * shard-reader.ts instead, so their memory does not grow with the split).
 */
export async function loadSplit(dir: string, split: SplitName): Promise<SplitData> {
  const source = await openSplit(dir, split);
  try {
    return await source.read(range(source.n));
  } finally {
    await source.close();
  }
}

/** Column `label` of the targets as 0/1 numbers. */
export function labelColumn(data: Pick<SplitData, 'n' | 'labels' | 'numLabels'>, label: number): Float32Array {
  const out = new Float32Array(data.n);
  for (let i = 0; i < data.n; i++) out[i] = data.labels[i * data.numLabels + label];
  return out;
}

/** Image `i` scaled to [0, 1] (a fresh array, safe to augment in place). */
export function imageAsFloat(data: SplitData, i: number): Float32Array {
  const size = data.height * data.width;
  const out = new Float32Array(size);
  const base = i * size;
  for (let p = 0; p < size; p++) out[p] = data.pixels[base + p] / 255;
  return out;
}

/** A per-image transform applied to [0, 1] pixels before normalisation (training augmentation). */
export type ImageTransform = (image: Float32Array, height: number, width: number) => void;

/**
 * The model input for `indices`: pixels/255, standardised with the train-split mean and std, repeated
 * over `channels` (1 for the zoo's grey models, 3 for ImageNet-style backbones). Shape [B, H, W, C].
 */
export function makeInputs(
  data: SplitData,
  indices: readonly number[],
  stats: Pick<PreprocessStats, 'mean' | 'std'>,
  channels = 1,
  transform?: ImageTransform,
): tf.Tensor4D {
  const size = data.height * data.width;
  const std = stats.std > 0 ? stats.std : 1;
  const buffer = new Float32Array(indices.length * size * channels);
  indices.forEach((index, b) => {
    const image = imageAsFloat(data, index);
    if (transform) transform(image, data.height, data.width);
    const base = b * size * channels;
    for (let p = 0; p < size; p++) {
      const v = (image[p] - stats.mean) / std;
      for (let c = 0; c < channels; c++) buffer[base + p * channels + c] = v;
    }
  });
  return tf.tensor4d(buffer, [indices.length, data.height, data.width, channels]);
}

/** Targets for `indices`, shape [B, L]. */
export function makeTargets(data: SplitData, indices: readonly number[]): tf.Tensor2D {
  const L = data.numLabels;
  const buffer = new Float32Array(indices.length * L);
  indices.forEach((index, b) => buffer.set(data.labels.subarray(index * L, index * L + L), b * L));
  return tf.tensor2d(buffer, [indices.length, L]);
}

/** Splits `order` into consecutive batches of at most `batchSize`. */
export function batches(order: readonly number[], batchSize: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/** 0..n-1. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * The `embed` job: penultimate-layer embeddings of (a seeded subsample of) the test split, their t-SNE
 * map, separation scores per colouring, and the three outputs: the interactive page, the PNG and a CSV of
 * the coordinates, plus the numbers for `metrics/embed.json`.
 *
 * Owns: the sequence and the metrics shape. Does not own: loading (eval/scoring.ts), the output folder's
 * atomic swap (the stage), any of the steps (features, tsne, colorings, separation, plot, page).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { toCsv } from '../data/csv.js';
import type { ImageMeta, SplitIndex } from '../data/preprocessed-format.js';
import type { Loaded } from '../eval/scoring.js';
import type { SplitData } from '../data/dataset.js';
import { Mulberry32 } from '../../shared/rng.js';
import { buildColorings, classOf, type Coloring } from './colorings.js';
import { extractEmbeddings } from './features.js';
import type { EmbedOptions } from './options.js';
import { embedPageHtml, type PagePoint, type SeparationRow } from './page.js';
import { layoutPoints, scatterPng, scatterSvg } from './plot.js';
import { distanceMatrix, silhouette } from './separation.js';
import { thumbnailBase64 } from './thumbnails.js';
import { tsne } from './tsne.js';

export interface EmbedJob extends Omit<Loaded, 'data'> {
  /** The test split in memory (embed plots at most `max_points` of it). */
  data: SplitData;
  /** Per-image metadata of the split (`SplitIndex.meta`), if the dataset has any. */
  meta: ImageMeta | undefined;
  options: EmbedOptions;
  /** Progress lines (`embedding 247 images`, timings). */
  log?: (line: string) => void;
}

export interface EmbedResult {
  html: string;
  png: Buffer;
  /** `points.csv`: id, patient, t-SNE coordinates and each colouring's group. */
  csv: string;
  metrics: Record<string, unknown>;
}

/** `SplitIndex.meta` of `<dir>/<split>.json` (the dataset loader keeps only what training needs). */
export async function loadSplitMeta(dir: string, split: SplitIndex['split']): Promise<ImageMeta | undefined> {
  const file = path.join(dir, `${split}.json`);
  const index = JSON.parse(await readFile(file, 'utf8')) as SplitIndex;
  for (const [column, values] of Object.entries(index.meta ?? {})) {
    if (!Array.isArray(values) || values.length !== index.ids.length) {
      throw new Error(
        `${file}: meta.${column} has ${Array.isArray(values) ? values.length : 'no'} entries for ${index.ids.length} images`,
      );
    }
  }
  return index.meta;
}

/** Indices of the points to plot: all when n ≤ max, else a seeded sample, in ascending order. */
export function selectPoints(n: number, max: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  return new Mulberry32(seed)
    .shuffle(all)
    .slice(0, max)
    .sort((a, b) => a - b);
}

function pick<T>(values: readonly T[] | undefined, indices: readonly number[]): T[] | undefined {
  return values ? indices.map((i) => values[i]) : undefined;
}

const round = (v: number | null, digits = 4): number | null => (v === null ? null : Number(v.toFixed(digits)));

function separationOf(colorings: Coloring[], features: Float64Array, map: Float64Array) {
  return colorings.map((c) => {
    const groups = c.values.map((_, i) => classOf(c, i));
    return { coloring: c, features: round(silhouette(features, groups)), map: round(silhouette(map, groups)) };
  });
}

/** The page's points: ids, positions, thumbnails and rounded probabilities, in plot order. */
async function pagePoints(
  job: EmbedJob,
  indices: readonly number[],
  layout: readonly { x: number; y: number }[],
  probs: Float32Array,
  age: readonly (number | null)[] | undefined,
): Promise<PagePoint[]> {
  const { data, options } = job;
  const L = job.labelSpace.labels.length;
  const size = data.height * data.width;
  const points: PagePoint[] = [];
  for (const [i, src] of indices.entries()) {
    const pixels = data.pixels.subarray(src * size, (src + 1) * size);
    const years = age?.[i];
    points.push({
      id: data.ids[src],
      patient: data.patientIds[src],
      x: layout[i].x,
      y: layout[i].y,
      thumb: options.thumbnail > 0 ? await thumbnailBase64(pixels, data.height, data.width, options.thumbnail) : null,
      probs: Array.from(probs.subarray(i * L, (i + 1) * L), (p) => Number(p.toFixed(3))),
      details: years === undefined || years === null ? [] : [`age ${years}`],
    });
  }
  return points;
}

export async function runEmbedJob(job: EmbedJob): Promise<EmbedResult> {
  const { data, labelSpace, options } = job;
  const labels = labelSpace.labels;
  const L = labels.length;
  const indices = selectPoints(data.n, options.maxPoints, options.seed);
  const n = indices.length;
  let t0 = performance.now();
  const emb = await extractEmbeddings(job.model, data, indices, job.stats, labelSpace.task);
  job.log?.(`embeddings: ${n} images × ${emb.dim} (${emb.layer}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  t0 = performance.now();
  const perplexity = Math.min(options.perplexity, (n - 1) / 3);
  const projection = tsne(emb.features, n, emb.dim, { ...options, perplexity });
  job.log?.(
    `t-SNE: ${options.iterations} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s, KL ${projection.kl.toFixed(3)}`,
  );

  const targets = new Float32Array(n * L);
  indices.forEach((src, i) => targets.set(data.labels.subarray(src * L, (src + 1) * L), i * L));
  const meta: ImageMeta | undefined = job.meta && {
    view: pick(job.meta.view, indices),
    sex: pick(job.meta.sex, indices),
    age: pick(job.meta.age, indices),
  };
  const colorings = buildColorings(labelSpace.task, labels, targets, meta);
  const scores = separationOf(colorings, distanceMatrix(emb.features, n, emb.dim), distanceMatrix(projection.y, n, 2));

  const layout = layoutPoints(projection.y, n);
  const points = await pagePoints(job, indices, layout, emb.probs, meta?.age);
  const summary =
    `${n} of the ${data.n} ${data.split} images` +
    (n < data.n ? ` (a seeded sample, embed.max_points = ${options.maxPoints})` : '') +
    `, each a ${emb.dim}-dimensional vector from layer '${emb.layer}', mapped to 2-D by exact t-SNE ` +
    `(perplexity ${Number(perplexity.toFixed(2))}, ${options.iterations} steps, ${options.init} start, seed ${options.seed}; ` +
    `KL divergence ${projection.kl.toFixed(3)}).`;
  const separation: SeparationRow[] = scores.map((s) => ({
    title: s.coloring.title,
    features: s.features,
    projection: s.map,
  }));
  const html = embedPageHtml({ summary, labels, points, colorings, separation });
  const first = colorings[0];
  const png = await scatterPng(
    scatterSvg(layout, first, `t-SNE of ${n} ${data.split} embeddings (${emb.layer}), coloured by ${first.title}`),
  );
  const csv = toCsv([
    ['id', 'patient_id', 'x', 'y', ...colorings.map((c) => c.title)],
    ...indices.map((src, i) => [
      data.ids[src],
      data.patientIds[src],
      projection.y[i * 2].toFixed(4),
      projection.y[i * 2 + 1].toFixed(4),
      ...colorings.map((c) => classOf(c, i) ?? ''),
    ]),
  ]);
  return { html, png, csv, metrics: embedMetrics(job, n, emb, perplexity, projection.kl, scores) };
}

function embedMetrics(
  job: EmbedJob,
  points: number,
  emb: { layer: string; dim: number },
  perplexity: number,
  kl: number,
  scores: ReturnType<typeof separationOf>,
): Record<string, unknown> {
  const entry = (s: (typeof scores)[number]) => ({ silhouette_features: s.features, silhouette_map: s.map });
  const byLabel = scores.filter((s) => s.coloring.key.startsWith('label:'));
  const other = scores.filter((s) => !s.coloring.key.startsWith('label:'));
  return {
    split: job.data.split,
    images: job.data.n,
    points,
    layer: emb.layer,
    dim: emb.dim,
    method: 'exact t-SNE',
    perplexity: round(perplexity),
    iterations: job.options.iterations,
    init: job.options.init,
    seed: job.options.seed,
    kl_divergence: round(kl),
    separation: {
      ...Object.fromEntries(other.map((s) => [s.coloring.key, entry(s)])),
      ...(byLabel.length > 0
        ? { labels: Object.fromEntries(byLabel.map((s) => [s.coloring.key.slice('label:'.length), entry(s)])) }
        : {}),
    },
  };
}

/**
 * The `explain` job: for every label, select test cases (select.ts), compute Grad-CAM and Integrated
 * Gradients, measure the share of positive attribution inside the lungs (lung-share.ts), draw the
 * overlays (overlay.ts) into `outDir` and return the numbers for `metrics/explain.json` and the
 * gallery sections.
 *
 * Owns: the loop and the metrics shape. Does not own: loading/scoring (eval/scoring.ts), the output
 * folder's atomic swap (the stage), the model's layer choice.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { labelColumn, makeInputs, type SplitData } from '../data/dataset.js';
import type { SplitSource } from '../data/shard-reader.js';
import type { LabelSpace, PreprocessStats } from '../data/preprocessed-format.js';
import { column, inputChannels } from '../eval/predict.js';
import { gradCam, splitAt } from './grad-cam.js';
import type { GalleryImage, GallerySection } from './gallery.js';
import { integratedGradients } from './integrated-gradients.js';
import { lungShare, maskArea, resizeMap, templateLungMask } from './lung-share.js';
import type { ExplainOptions } from './options.js';
import { renderOverlay } from './overlay.js';
import { selectCases } from './select.js';

export interface ExplainJob {
  model: tf.LayersModel;
  layer: string;
  labelSpace: LabelSpace;
  stats: PreprocessStats;
  /** The test split; only the explained images are read. */
  data: SplitSource;
  probs: Float32Array;
  thresholds: number[];
  options: ExplainOptions;
  /** Folder that receives `<label>/<kind>-<rank>.png`. */
  outDir: string;
  /** Called once per explained image. */
  tick?: () => void;
}

const METHODS = ['grad_cam', 'integrated_gradients'] as const;
type Method = (typeof METHODS)[number];

export interface ExplainResult {
  metrics: Record<string, unknown>;
  sections: GallerySection[];
  maskSource: string;
  lungArea: number;
}

/** File-system-safe folder name for a label. */
export function slug(label: string): string {
  return label.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'label';
}

function mean(values: (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? null : Number((defined.reduce((a, b) => a + b, 0) / defined.length).toFixed(4));
}

/** Positive part scaled by its 99th percentile (IG maps are spiky; the max would hide most of the map). */
function normalisePositive(map: Float32Array): Float32Array {
  const positive = Array.from(map)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  const scale = positive[Math.floor(0.99 * (positive.length - 1))] ?? 0;
  return map.map((v) => (scale > 0 && v > 0 ? Math.min(1, v / scale) : 0));
}

/**
 * Grad-CAM of `label` for image `index` of `data`, resized to the image (H×W). The one place both the
 * explain stage and `predict --explain` compute a map.
 */
export async function gradCamMap(
  split: ReturnType<typeof splitAt>,
  data: SplitData,
  index: number,
  label: number,
  numLabels: number,
  stats: PreprocessStats,
  channels: number,
): Promise<Float32Array> {
  const x = makeInputs(data, [index], stats, channels);
  const camT = gradCam(split, x, [label], numLabels);
  const [, h, w] = camT.shape;
  const cam = resizeMap((await camT.data()) as Float32Array, h, w, data.height, data.width);
  tf.dispose([x, camT]);
  return cam;
}

/** Number of cases `runExplainJob` will explain (for the progress total). */
export function countCases(job: Pick<ExplainJob, 'labelSpace' | 'data' | 'probs' | 'thresholds' | 'options'>): number {
  const L = job.labelSpace.labels.length;
  return job.labelSpace.labels.reduce(
    (n, _, l) =>
      n +
      selectCases(column(job.probs, L, l), labelColumn(job.data, l), job.thresholds[l], job.options.perLabel).length,
    0,
  );
}

export async function runExplainJob(job: ExplainJob): Promise<ExplainResult> {
  const { data, labelSpace, options } = job;
  const L = labelSpace.labels.length;
  const H = data.height;
  const W = data.width;
  const template = data.hasMasks ? null : templateLungMask(H, W);
  const split = splitAt(job.model, job.layer);
  const channels = inputChannels(job.model);
  const baseline = (0 - job.stats.mean) / (job.stats.std > 0 ? job.stats.std : 1);
  const areas: number[] = [];
  const perLabel: Record<string, unknown> = {};
  const sections: GallerySection[] = [];
  const images: Record<string, unknown>[] = [];

  for (let l = 0; l < L; l++) {
    const label = labelSpace.labels[l];
    const threshold = job.thresholds[l];
    const cases = selectCases(column(job.probs, L, l), labelColumn(data, l), threshold, options.perLabel);
    const shares: Record<Method, (number | null)[]> = { grad_cam: [], integrated_gradients: [] };
    const gallery: GalleryImage[] = [];
    await mkdir(path.join(job.outDir, slug(label)), { recursive: true });
    for (const c of cases) {
      const one = await data.read([c.index]);
      const cam = await gradCamMap(split, one, 0, l, L, job.stats, channels);
      const x = makeInputs(one, [0], job.stats, channels);
      const igT = integratedGradients(job.model, x, l, { steps: options.steps, baseline });
      const ig = (await igT.data()) as Float32Array;
      tf.dispose([x, igT]);
      const mask = one.masks ?? template;
      if (!mask) throw new Error(`${one.ids[0]}: the split has masks but none was read`);
      areas.push(maskArea(mask));
      const share: Record<Method, number | null> = {
        grad_cam: lungShare(cam, mask),
        integrated_gradients: lungShare(ig, mask),
      };
      shares.grad_cam.push(share.grad_cam);
      shares.integrated_gradients.push(share.integrated_gradients);
      const file = `${slug(label)}/${c.kind}-${c.rank}.png`;
      const id = data.ids[c.index];
      const png = await renderOverlay({
        image: one.pixels,
        height: H,
        width: W,
        maps: [
          { title: 'Grad-CAM', values: cam },
          { title: 'Integrated Gradients', values: normalisePositive(ig) },
        ],
        caption: [
          `${label}: p = ${c.score.toFixed(3)}, threshold ${threshold.toFixed(3)}`,
          `${c.kind.replace('_', ' ')} #${c.rank}  ${id}`,
        ],
        panel: options.panel,
      });
      await writeFile(path.join(job.outDir, file), png);
      const rounded = { grad_cam: mean([share.grad_cam]), integrated_gradients: mean([share.integrated_gradients]) };
      gallery.push({ file, id, kind: c.kind, probability: c.score, threshold, shares: rounded });
      images.push({
        label,
        kind: c.kind,
        rank: c.rank,
        id,
        probability: Number(c.score.toFixed(6)),
        file,
        lung_share: rounded,
      });
      job.tick?.();
    }
    const byKind = (kind: string, m: Method): number | null =>
      mean(cases.map((c, i) => (c.kind === kind ? (shares[m][i] ?? null) : null)));
    const summary = Object.fromEntries(
      METHODS.map((m) => [
        m,
        {
          lung_share: mean(shares[m]),
          true_positive: byKind('true_positive', m),
          false_positive: byKind('false_positive', m),
          false_negative: byKind('false_negative', m),
        },
      ]),
    );
    perLabel[label] = { threshold, images: cases.length, ...summary };
    sections.push({
      label,
      threshold,
      shares: { grad_cam: mean(shares.grad_cam), integrated_gradients: mean(shares.integrated_gradients) },
      images: gallery,
    });
  }
  split.dispose();
  if (areas.length === 0 && data.n > 0) areas.push(maskArea(template ?? ((await data.read([0])).masks as Uint8Array)));
  const lungArea = mean(areas) ?? 0;
  const maskSource = data.hasMasks ? 'dataset lung masks' : 'template (two ellipses; the dataset has no masks)';
  const macro = Object.fromEntries(METHODS.map((m) => [m, mean(sections.map((s) => s.shares[m] ?? null))]));
  return {
    metrics: {
      methods: METHODS,
      layer: job.layer,
      ig_steps: options.steps,
      ig_baseline: 'black',
      mask_source: data.hasMasks ? 'dataset' : 'template',
      lung_area_fraction: lungArea,
      macro_lung_share: macro,
      labels: perLabel,
      images,
    },
    sections,
    maskSource,
    lungArea,
  };
}

/**
 * Prediction on new images: each image through exactly the pipeline's preprocessing, the trained model
 * and the tuned thresholds; optional Grad-CAM overlays drawn by the explain code.
 *
 * Owns: per-file errors (a bad image never stops the others) and decisions (multiclass: the argmax;
 * otherwise probability ≥ the label's threshold). Does not own: where the model, data and params live
 * (the caller passes them: `xpipe predict` resolves them through the engine façade), pixels
 * (data/preprocess), scoring (eval/predict.ts), maps and overlays (explain/).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadLabelSpace, loadStats, type SplitData } from '../data/dataset.js';
import { memorySource } from '../data/shard-reader.js';
import { parsePreprocessParams } from '../data/preprocess/options.js';
import { preprocessImage } from '../data/preprocess/pixels.js';
import type { PreprocessStats } from '../data/preprocessed-format.js';
import { inputChannels, predictProbabilities } from '../eval/predict.js';
import { thresholdsFromJson } from '../eval/thresholds.js';
import { splitAt } from '../explain/grad-cam.js';
import { gradCamMap, slug } from '../explain/job.js';
import { renderOverlay } from '../explain/overlay.js';
import { loadModel } from '../io/model-files.js';
import { lastConvLayerName } from '../models/index.js';
import { InputError } from '../params/index.js';
import { initRuntime, resolveRequest } from '../runtime/index.js';
import { writeFileAtomic } from '../../shared/atomic.js';
import { listImages } from './images.js';
import type { ImagePrediction, PredictOutcome, PredictRequest } from './types.js';

/** Runs the prediction; throws only for problems that concern every image (model, thresholds, data). */
export async function predictImages(req: PredictRequest): Promise<PredictOutcome> {
  const images = await listImages(req.cwd, req.inputs);
  const options = parsePreprocessParams(req.preprocess);
  const info = await initRuntime({ backend: resolveRequest(req.backend), ...(req.log ? { log: req.log } : {}) });
  const [model, labelSpace, stats] = await Promise.all([
    loadModel(req.modelDir),
    loadLabelSpace(req.dataDir),
    loadStats(req.dataDir),
  ]);
  const labels = labelSpace.labels;
  const thresholds = thresholdsFromJson(await readFile(req.thresholdsFile, 'utf8'), labels, req.thresholdsName);
  const inputShape = model.inputs[0]?.shape;
  if (inputShape?.[1] !== options.size || inputShape?.[2] !== options.size) {
    model.dispose();
    throw new InputError(
      `the model expects ${String(inputShape?.[1])}×${String(inputShape?.[2])} images but preprocess.size (${req.preprocessFrom}) ` +
        `is ${options.size}; re-run the pipeline so they agree`,
    );
  }
  const good: Array<{ item: ImagePrediction; pixels: Uint8Array }> = [];
  for (const item of images) {
    if (item.error) continue;
    try {
      const bytes = new Uint8Array(await readFile(path.resolve(req.cwd, item.file)));
      good.push({ item, pixels: await preprocessImage(bytes, item.file, options) });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      item.error = message.includes(item.file) ? message : `${item.file}: ${message}`;
    }
  }
  if (good.length > 0) {
    const data = asSplit(
      good.map((g) => g.item.file),
      good.map((g) => g.pixels),
      options.size,
      labels.length,
    );
    const probs = await predictProbabilities(model, memorySource(data), stats, labelSpace.task, req.batchSize ?? 64);
    good.forEach((g, i) => {
      const p = Array.from(probs.subarray(i * labels.length, (i + 1) * labels.length));
      g.item.probabilities = p;
      const best = p.indexOf(Math.max(...p));
      g.item.decisions = p.map((v, l) => (labelSpace.task === 'multiclass' ? l === best : v >= thresholds[l]));
    });
    if (req.explainDir)
      await writeOverlays(
        req,
        model,
        data,
        stats,
        labels,
        thresholds,
        good.map((g) => g.item),
      );
  }
  model.dispose();
  return { labels, thresholds, backend: info.backend, preprocessFrom: req.preprocessFrom, images };
}

/** New images in the shape of a preprocessed split (unknown labels), so the stages' scoring code applies. */
function asSplit(ids: string[], pixels: Uint8Array[], size: number, numLabels: number): SplitData {
  const packed = new Uint8Array(ids.length * size * size);
  pixels.forEach((p, i) => packed.set(p, i * size * size));
  return {
    split: 'test',
    n: ids.length,
    height: size,
    width: size,
    pixels: packed,
    labels: new Float32Array(ids.length * numLabels),
    numLabels,
    ids,
    patientIds: ids.map(() => ''),
    masks: null,
  };
}

/** Grad-CAM overlays for each positive label of each image (or its most probable label when none). */
async function writeOverlays(
  req: PredictRequest,
  model: tf.LayersModel,
  data: SplitData,
  stats: PreprocessStats,
  labels: string[],
  thresholds: number[],
  items: ImagePrediction[],
): Promise<void> {
  const split = splitAt(model, lastConvLayerName(model));
  const channels = inputChannels(model);
  const H = data.height,
    W = data.width;
  for (const [i, item] of items.entries()) {
    const p = item.probabilities!;
    const chosen = item.decisions!.flatMap((d, l) => (d ? [l] : []));
    const targets = chosen.length > 0 ? chosen : [p.indexOf(Math.max(...p))];
    item.overlays = [];
    for (const l of targets) {
      const cam = await gradCamMap(split, data, i, l, labels.length, stats, channels);
      const png = await renderOverlay({
        image: data.pixels.subarray(i * H * W, (i + 1) * H * W),
        height: H,
        width: W,
        maps: [{ title: 'Grad-CAM', values: cam }],
        caption: [`${labels[l]}: p = ${p[l].toFixed(3)}, threshold ${thresholds[l].toFixed(3)}`, item.file],
      });
      const file = path.join(
        req.explainDir!,
        `${path.basename(item.file).replace(/\.[^.]+$/, '')}-${slug(labels[l])}.png`,
      );
      await writeFileAtomic(file, png);
      item.overlays.push(path.relative(req.cwd, file));
    }
  }
  split.dispose();
}

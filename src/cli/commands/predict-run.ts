/**
 * The work of `xpipe predict`: new images through exactly the pipeline's preprocessing, the trained
 * model, and the tuned thresholds; optional Grad-CAM overlays.
 *
 * Owns: finding the images, choosing the preprocessing params (those pipeline.lock recorded for the
 * stage that preprocessed the training data, else params.yaml), per-file errors (a bad image never
 * stops the others), decisions. Does not own: any pixel or model code — it calls src/ml (the same
 * functions the stages use), loaded lazily so other commands never load TensorFlow.js.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../../engine/index.js';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { LockFile } from '../../engine/index.js';

const IMAGE = /\.(png|jpe?g|webp|tiff?|gif|bmp)$/i;

export interface PredictRequest {
  root: string;
  cwd: string;
  /** Files or folders as given on the command line. */
  inputs: string[];
  modelDir: string;
  dataDir: string;
  thresholdsFile: string;
  /** Write Grad-CAM overlays here. */
  explainDir?: string;
  lock: LockFile;
  batchSize?: number;
  log?: (line: string) => void;
}

/** One image's outcome: probabilities and decisions in label order, or an error paragraph. */
export interface ImagePrediction {
  file: string;
  probabilities?: number[];
  decisions?: boolean[];
  overlays?: string[];
  error?: string;
}

export interface PredictOutcome {
  labels: string[];
  thresholds: number[];
  backend: string;
  /** Where the preprocessing params came from: `pipeline.lock` or `params.yaml`. */
  preprocessFrom: string;
  images: ImagePrediction[];
}

/** Expands folders (one level, sorted) into image files; missing paths become per-file errors. */
export async function listImages(cwd: string, inputs: string[]): Promise<ImagePrediction[]> {
  const out: ImagePrediction[] = [];
  for (const input of inputs) {
    const full = path.resolve(cwd, input);
    const info = await stat(full).catch(() => undefined);
    if (!info) out.push({ file: input, error: `${input}: no such file or folder` });
    else if (info.isDirectory()) {
      const files = (await readdir(full)).filter((f) => IMAGE.test(f)).sort();
      if (files.length === 0) out.push({ file: input, error: `${input}: the folder holds no images (.png, .jpg, .webp, .tif)` });
      out.push(...files.map((f) => ({ file: path.join(input, f) })));
    } else out.push({ file: input });
  }
  return out;
}

/** The `preprocess` params section the model's data was made with. */
async function preprocessParams(root: string, lock: LockFile): Promise<{ values: unknown; from: string }> {
  for (const entry of Object.values(lock.stages)) {
    const p = entry.params?.['params.yaml']?.['preprocess'];
    if (p !== undefined) return { values: p, from: 'pipeline.lock' };
  }
  const params = parseYaml(await readFile(path.join(root, 'params.yaml'), 'utf8')) as Record<string, unknown> | null;
  return { values: params?.['preprocess'] ?? {}, from: 'params.yaml' };
}

async function runtimeParam(root: string): Promise<unknown> {
  const params = parseYaml(await readFile(path.join(root, 'params.yaml'), 'utf8').catch(() => '')) as Record<string, any> | null;
  return params?.['runtime']?.['backend'];
}

/** Runs the prediction; throws only for problems that concern every image (model, thresholds, data). */
export async function predict(req: PredictRequest): Promise<PredictOutcome> {
  const images = await listImages(req.cwd, req.inputs);
  const [{ parsePreprocessParams }, { preprocessImage }, runtime, { loadModel }, dataset, predictMod, { thresholdsFromJson }] = await Promise.all([
    import('../../ml/data/preprocess/options.js'),
    import('../../ml/data/preprocess/pixels.js'),
    import('../../ml/runtime/index.js'),
    import('../../ml/io/model-files.js'),
    import('../../ml/data/dataset.js'),
    import('../../ml/eval/predict.js'),
    import('../../ml/eval/thresholds.js'),
  ]);
  const pre = await preprocessParams(req.root, req.lock);
  const options = parsePreprocessParams(pre.values);
  const info = await runtime.initRuntime({ backend: runtime.resolveRequest(await runtimeParam(req.root)), ...(req.log ? { log: req.log } : {}) });
  const [model, labelSpace, stats] = await Promise.all([loadModel(req.modelDir), dataset.loadLabelSpace(req.dataDir), dataset.loadStats(req.dataDir)]);
  const labels = labelSpace.labels;
  const thresholds = thresholdsFromJson(await readFile(req.thresholdsFile, 'utf8'), labels, path.relative(req.root, req.thresholdsFile));
  const inputShape = model.inputs[0]?.shape;
  if (inputShape?.[1] !== options.size || inputShape?.[2] !== options.size) {
    throw new Error(`the model expects ${String(inputShape?.[1])}×${String(inputShape?.[2])} images but preprocess.size (${pre.from}) is ${options.size}; re-run the pipeline so they agree`);
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
    const size = options.size * options.size;
    const pixels = new Uint8Array(good.length * size);
    good.forEach((g, i) => pixels.set(g.pixels, i * size));
    const data = {
      split: 'test' as const, n: good.length, height: options.size, width: options.size, pixels,
      labels: new Float32Array(good.length * labels.length), numLabels: labels.length,
      ids: good.map((g) => g.item.file), patientIds: good.map(() => ''), masks: null,
    };
    const probs = await predictMod.predictProbabilities(model, data, stats, labelSpace.task, req.batchSize ?? 64);
    good.forEach((g, i) => {
      const p = Array.from(probs.subarray(i * labels.length, (i + 1) * labels.length));
      g.item.probabilities = p;
      const best = p.indexOf(Math.max(...p));
      g.item.decisions = p.map((v, l) => (labelSpace.task === 'multiclass' ? l === best : v >= (thresholds[l] as number)));
    });
    if (req.explainDir) await writeOverlays(req, model, data, stats, labels, thresholds, good.map((g) => g.item));
  }
  model.dispose();
  return { labels, thresholds, backend: info.backend, preprocessFrom: pre.from, images };
}

/** Grad-CAM overlays for each positive label of each image (or its most probable label when none). */
async function writeOverlays(
  req: PredictRequest, model: import('@tensorflow/tfjs').LayersModel,
  data: import('../../ml/data/dataset.js').SplitData, stats: { mean: number; std: number },
  labels: string[], thresholds: number[], items: ImagePrediction[],
): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { splitAt, gradCam } = await import('../../ml/explain/grad-cam.js');
  const { renderOverlay } = await import('../../ml/explain/overlay.js');
  const { resizeMap } = await import('../../ml/explain/lung-share.js');
  const { lastConvLayerName } = await import('../../ml/models/index.js');
  const { makeInputs } = await import('../../ml/data/dataset.js');
  const { inputChannels } = await import('../../ml/eval/predict.js');
  const split = splitAt(model, lastConvLayerName(model));
  const channels = inputChannels(model);
  const H = data.height, W = data.width;
  for (const [i, item] of items.entries()) {
    const p = item.probabilities!;
    const chosen = item.decisions!.flatMap((d, l) => (d ? [l] : []));
    const targets = chosen.length > 0 ? chosen : [p.indexOf(Math.max(...p))];
    item.overlays = [];
    for (const l of targets) {
      const x = makeInputs(data, [i], stats, channels);
      const camT = gradCam(split, x, [l], labels.length);
      const [, h, w] = camT.shape;
      const cam = resizeMap((await camT.data()) as Float32Array, h, w, H, W);
      tf.dispose([x, camT]);
      const png = await renderOverlay({
        image: data.pixels.subarray(i * H * W, (i + 1) * H * W), height: H, width: W,
        maps: [{ title: 'Grad-CAM', values: cam }],
        caption: [`${labels[l]}: p = ${(p[l] as number).toFixed(3)}, threshold ${(thresholds[l] as number).toFixed(3)}`, item.file],
      });
      const file = path.join(req.explainDir!, `${path.basename(item.file).replace(/\.[^.]+$/, '')}-${labels[l]!.replace(/[^A-Za-z0-9_-]+/g, '_')}.png`);
      writeFileAtomic(file, png);
      item.overlays.push(path.relative(req.cwd, file));
    }
  }
}

/**
 * Model files on disk in the standard TensorFlow.js layers format: `<dir>/model.json` (topology + weights
 * manifest, `format: "layers-model"`) and binary weight shards `<dir>/group1-shard{i}of{n}.bin` (≤ 4 MiB
 * each, like `tfjs.converters`). Readable by `tf.loadLayersModel('file://…/model.json')` in tfjs-node and by
 * the Python `tensorflowjs` converter.
 *
 * Owns: an IO handler on `node:fs` that works under every backend (it does not use tfjs-node's `file://`
 * handler, which exists only when tfjs-node is installed), atomic saves (write a sibling temp dir, then
 * rename over the target) and bit-exact round trips (weights are copied as raw bytes). Does not own:
 * model building (src/ml/models) or custom-layer registration (done by `registerCustomLayers`).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerCustomLayers } from '../models/custom-layers.js';

/** File name of the topology + manifest inside a model directory. */
export const MODEL_JSON = 'model.json';
const SHARD_BYTES = 4 * 1024 * 1024;

function joinWeightData(data: tf.io.WeightData): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/** An IO handler that saves model artifacts into `dir` (a fresh directory it creates). */
function dirSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const bytes = joinWeightData(artifacts.weightData ?? new ArrayBuffer(0));
      const count = Math.max(1, Math.ceil(bytes.byteLength / SHARD_BYTES));
      const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        await writeFile(join(dir, paths[i]), bytes.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
      }
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as tf.io.ModelJSON['modelTopology'],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'xpipe',
        weightsManifest: [{ paths, weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFile(join(dir, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: bytes.byteLength,
        },
      };
    },
  };
}

/** An IO handler that loads a layers model from `dir/model.json` and its shards. */
export function dirLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of json.weightsManifest ?? []) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) buffers.push(await readFile(join(dir, path)));
      }
      const data = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const b of buffers) {
        data.set(b, offset);
        offset += b.byteLength;
      }
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: data.buffer,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
      };
      if (json.trainingConfig !== undefined) artifacts.trainingConfig = json.trainingConfig;
      if (json.userDefinedMetadata !== undefined) artifacts.userDefinedMetadata = json.userDefinedMetadata;
      return artifacts;
    },
  };
}

/**
 * Saves `model` to `dir` atomically: the files are written to a sibling temp directory which then
 * replaces `dir` (any previous content of `dir` is removed). Weights are saved without optimizer state.
 */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  try {
    await model.save(dirSaveHandler(tmp));
    const hadOld = await rename(dir, old).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        return false;
      },
    );
    try {
      await rename(tmp, dir);
    } catch (error) {
      if (hadOld) await rename(old, dir); // put the previous model back
      throw error;
    }
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Loads a layers model saved by {@link saveModel} (or by any TF.js layers writer) from `dir`. */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  registerCustomLayers();
  return tf.loadLayersModel(dirLoadHandler(dir));
}

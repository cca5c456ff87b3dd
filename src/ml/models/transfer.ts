/**
 * Transfer learning: initialise a freshly built model from a TF.js layers model directory
 * (`model.pretrained`). Every layer whose name and weight shapes match is loaded; a first convolution
 * trained on RGB (`[fh, fw, 3, O]`) is reduced to our single channel by averaging its kernel over the input
 * channels (as the source project's ResNet-18 does). Everything else keeps its seeded initialisation.
 *
 * Owns: the matching rules and the loaded/skipped report. Does not own: reading files (src/ml/io).
 */
import * as tf from '@tensorflow/tfjs';
import { dirLoadHandler } from '../io/model-files.js';

/** Which layers were initialised from the pretrained model, and which were not (with the reason in the log). */
export interface PretrainedReport {
  loaded: string[];
  skipped: string[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** The pretrained tensor adapted to `shape`, or a reason why it cannot be. */
function adapt(source: tf.Tensor, shape: readonly number[]): tf.Tensor | string {
  if (sameShape(source.shape, shape)) return source.clone();
  const s = source.shape;
  const rgbToGray =
    s.length === 4 &&
    shape.length === 4 &&
    s[2] > 1 &&
    shape[2] === 1 &&
    s[0] === shape[0] &&
    s[1] === shape[1] &&
    s[3] === shape[3];
  if (rgbToGray) return tf.mean(source, 2, true);
  return `shape ${JSON.stringify(s)} ≠ ${JSON.stringify(shape)}`;
}

/**
 * Loads matching weights from the layers model in `dir` into `model` (in place).
 * @param log receives one line per layer not loaded, and a summary line.
 */
export async function loadPretrained(
  model: tf.LayersModel,
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<PretrainedReport> {
  const artifacts = await dirLoadHandler(dir).load!();
  const source = tf.io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), artifacts.weightSpecs ?? []);
  const report: PretrainedReport = { loaded: [], skipped: [] };
  try {
    for (const layer of model.layers) {
      if (layer.weights.length === 0) continue;
      const values: tf.Tensor[] = [];
      let reason: string | undefined;
      for (const w of layer.weights) {
        const suffix = w.originalName.slice(w.originalName.indexOf('/') + 1);
        const found = source[`${layer.name}/${suffix}`];
        if (found === undefined) {
          reason = 'not in the pretrained model';
          break;
        }
        const adapted = adapt(found, w.shape as number[]);
        if (typeof adapted === 'string') {
          reason = `${suffix}: ${adapted}`;
          break;
        }
        values.push(adapted);
      }
      if (reason === undefined) {
        layer.setWeights(values);
        report.loaded.push(layer.name);
      } else {
        report.skipped.push(layer.name);
        log(`pretrained: skipped ${layer.name} (${reason})`);
      }
      tf.dispose(values);
    }
  } finally {
    tf.dispose(Object.values(source));
  }
  log(`pretrained: loaded ${report.loaded.length} layer(s) from ${dir}, skipped ${report.skipped.length}`);
  return report;
}

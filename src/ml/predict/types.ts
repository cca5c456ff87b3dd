/**
 * The inputs and results of a prediction (src/ml/predict), shared by the library and the CLI renderer.
 */

/** Everything a prediction needs, as explicit inputs: no project lookup happens in src/ml. */
export interface PredictRequest {
  /** Directory the `inputs` (and written overlay paths) are relative to. */
  cwd: string;
  /** Files or folders as given on the command line. */
  inputs: readonly string[];
  /** Absolute paths of the trained model folder, the preprocessed-data folder (labels.json, stats.json), thresholds. */
  modelDir: string;
  dataDir: string;
  thresholdsFile: string;
  /** How to name the thresholds file in messages (e.g. its project-relative path). */
  thresholdsName: string;
  /** The raw `preprocess` params section the training data was made with (validated here). */
  preprocess: unknown;
  /** Where `preprocess` came from, for messages and the JSON output (`pipeline.lock` or `params.yaml`). */
  preprocessFrom: string;
  /** The raw `runtime.backend` param (`XPIPE_TF_BACKEND` overrides it). */
  backend: unknown;
  /** Write Grad-CAM overlays here. */
  explainDir?: string;
  batchSize?: number;
  log?: (line: string) => void;
}

/** One image's outcome: probabilities and decisions in label order, or an error paragraph. */
export interface ImagePrediction {
  file: string;
  probabilities?: number[];
  decisions?: boolean[];
  /** Overlay files written, relative to the request's cwd. */
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

/**
 * The public entry of src/ml for code outside the pipeline's stages: the CLI's pipeline-specific
 * commands (`xpipe predict`) import src/ml only through this file (tests/architecture.test.ts).
 * Loading it loads TensorFlow.js, so import it lazily.
 */
export {
  listImages,
  predictImages,
  type ImagePrediction,
  type PredictOutcome,
  type PredictRequest,
} from './predict/index.js';
export { PIPELINE_PATHS, type ArtefactRole } from './paths.js';
export { InputError, isInputError } from './params/index.js';

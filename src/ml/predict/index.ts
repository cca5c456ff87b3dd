/** Prediction on new images with the trained pipeline's artefacts; see predict.ts. */
export { listImages } from './images.js';
export { predictImages } from './predict.js';
export type { ImagePrediction, PredictOutcome, PredictRequest } from './types.js';

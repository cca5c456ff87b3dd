/**
 * Names of the project's own TF.js kernels: one home for the runtime that registers them and for the model
 * and training code that calls them where the active backend has them (`tf.getKernel(name, backend)`).
 *
 * Owns: the names only (no imports, so models and training can use them without loading the runtime).
 */

/** Per-channel sums over every leading axis (wasm: project JS kernel; native: OpenMP). */
export const CHANNEL_SUM = 'XpipeChannelSum';
/** Training-mode batch norm, one pass each way (native kernels; src/ml/models/fast-batch-norm.ts). */
export const BATCH_NORM_FORWARD = 'XpipeBatchNormForward';
export const BATCH_NORM_BACKWARD = 'XpipeBatchNormBackward';
/** One Adam step of one variable (native kernels; src/ml/train/fused-adam.ts). */
export const ADAM_UPDATE = 'XpipeAdamUpdate';

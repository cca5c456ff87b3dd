/**
 * The validated options of the `train` stage, read from the params sections `model`, `train`, `loss`
 * and `augment` with the one reader of src/ml/params.
 *
 * Owns: names, defaults and ranges of every training option. Does not own: what they do.
 */
import type { AugmentOptions } from '../data/augment.js';
import { ARCHS, InputError, Reader, section, TASKS, type Arch, type Task } from '../params/index.js';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';
export type ScheduleName = 'none' | 'cosine' | 'reduce_on_plateau';
export type MonitorName = 'val_auc' | 'val_ap' | 'val_loss';
export type PosWeightMode = 'none' | 'balanced' | 'sqrt';
export type LossType = 'bce' | 'focal';
export type SamplerName = 'none' | 'weighted';

export interface ModelOptions {
  arch: Arch;
  pretrained: string | null;
}

export interface LossOptions {
  type: LossType;
  posWeight: PosWeightMode;
  /** Focal loss focusing parameter γ (0 = cross-entropy). */
  gamma: number;
  /** Focal loss α for positives (null = no α-balancing). */
  alpha: number | null;
}

export interface TrainOptions {
  seed: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  lr: number;
  weightDecay: number;
  momentum: number;
  schedule: ScheduleName;
  warmupEpochs: number;
  minLr: number;
  plateauFactor: number;
  plateauPatience: number;
  monitor: MonitorName;
  patience: number;
  minDelta: number;
  sampler: SamplerName;
}

export interface TrainStageOptions {
  model: ModelOptions;
  train: TrainOptions;
  loss: LossOptions;
  augment: AugmentOptions;
}

export function parseModelOptions(params: Readonly<Record<string, unknown>>): ModelOptions {
  const r = new Reader(section(params, 'model'), 'model');
  r.rejectUnknown(['arch', 'pretrained']);
  return { arch: r.oneOf('arch', ARCHS, 'chestnet_s'), pretrained: r.optionalString('pretrained') };
}

/**
 * The task the data was split for (labels.json), checked against `data.task` when the stage declares
 * it: a model trained as multilabel on multiclass data would silently use the wrong loss.
 */
export function resolveTask(params: Readonly<Record<string, unknown>>, recorded: Task): Task {
  const r = new Reader(section(params, 'data'), 'data');
  if (r.raw('task') === undefined) return recorded;
  const wanted = r.oneOf('task', TASKS, recorded);
  if (wanted !== recorded) {
    throw new InputError(
      `data.task is '${wanted}' but the preprocessed data (labels.json) was split for '${recorded}'; ` +
        're-run the split and preprocess stages, or set data.task to the recorded task',
    );
  }
  return recorded;
}

export function parseTrainOptions(params: Readonly<Record<string, unknown>>): TrainOptions {
  const r = new Reader(section(params, 'train'), 'train');
  r.rejectUnknown([
    'seed',
    'epochs',
    'batch_size',
    'optimizer',
    'lr',
    'weight_decay',
    'momentum',
    'schedule',
    'warmup_epochs',
    'min_lr',
    'plateau_factor',
    'plateau_patience',
    'monitor',
    'patience',
    'min_delta',
    'sampler',
  ]);
  const options: TrainOptions = {
    seed: r.nonNegativeInt('seed', 42),
    epochs: r.positiveInt('epochs', 20),
    batchSize: r.positiveInt('batch_size', 32),
    optimizer: r.oneOf('optimizer', ['adam', 'adamw', 'sgd'] as const, 'adam'),
    lr: r.number('lr', 0.001, { min: 0, exclusiveMin: true }),
    weightDecay: r.number('weight_decay', 0, { min: 0 }),
    momentum: r.number('momentum', 0.9, { min: 0, max: 1 }),
    schedule: r.oneOf('schedule', ['none', 'cosine', 'reduce_on_plateau'] as const, 'cosine'),
    warmupEpochs: r.nonNegativeInt('warmup_epochs', 0),
    minLr: r.number('min_lr', 0, { min: 0 }),
    plateauFactor: r.number('plateau_factor', 0.5, { min: 0, max: 1, exclusiveMin: true }),
    plateauPatience: r.nonNegativeInt('plateau_patience', 2),
    monitor: r.oneOf('monitor', ['val_auc', 'val_ap', 'val_loss'] as const, 'val_auc'),
    patience: r.positiveInt('patience', 5),
    minDelta: r.number('min_delta', 0, { min: 0 }),
    sampler: r.oneOf('sampler', ['none', 'weighted'] as const, 'none'),
  };
  if (options.minLr > options.lr) {
    throw new InputError(`expected train.min_lr ≤ train.lr, got min_lr ${options.minLr} and lr ${options.lr}`);
  }
  if (options.warmupEpochs >= options.epochs && options.warmupEpochs > 0) {
    throw new InputError(
      `expected train.warmup_epochs < train.epochs, got warmup_epochs ${options.warmupEpochs} and epochs ${options.epochs}`,
    );
  }
  return options;
}

export function parseLossOptions(params: Readonly<Record<string, unknown>>): LossOptions {
  const r = new Reader(section(params, 'loss'), 'loss');
  r.rejectUnknown(['type', 'pos_weight', 'gamma', 'alpha']);
  return {
    type: r.oneOf('type', ['bce', 'focal'] as const, 'bce'),
    posWeight: r.oneOf('pos_weight', ['none', 'balanced', 'sqrt'] as const, 'none'),
    gamma: r.number('gamma', 2, { min: 0 }),
    alpha: r.optionalNumber('alpha', { min: 0, max: 1 }),
  };
}

export function parseAugmentOptions(params: Readonly<Record<string, unknown>>): AugmentOptions {
  const r = new Reader(section(params, 'augment'), 'augment');
  r.rejectUnknown(['hflip', 'rotate', 'shift_scale', 'brightness_contrast', 'sharpness', 'autocontrast']);
  const rot = r.sub('rotate');
  rot.rejectUnknown(['p', 'degrees']);
  const ss = r.sub('shift_scale');
  ss.rejectUnknown(['p', 'shift', 'scale']);
  const bc = r.sub('brightness_contrast');
  bc.rejectUnknown(['p', 'brightness', 'contrast']);
  const sh = r.sub('sharpness');
  sh.rejectUnknown(['p', 'amount']);
  const ac = r.sub('autocontrast');
  ac.rejectUnknown(['p']);
  return {
    hflip: r.probability('hflip', 0),
    rotate: { p: rot.probability('p', 0), degrees: rot.number('degrees', 10, { min: 0, max: 180 }) },
    shiftScale: {
      p: ss.probability('p', 0),
      shift: ss.number('shift', 0.05, { min: 0, max: 0.5 }),
      scale: ss.number('scale', 0.1, { min: 0, max: 0.9 }),
    },
    brightnessContrast: {
      p: bc.probability('p', 0),
      brightness: bc.number('brightness', 0.1, { min: 0, max: 1 }),
      contrast: bc.number('contrast', 0.1, { min: 0, max: 1 }),
    },
    sharpness: { p: sh.probability('p', 0), amount: sh.number('amount', 0.5, { min: 0, max: 5 }) },
    autocontrast: { p: ac.probability('p', 0) },
  };
}

/** All four sections; the first bad field throws an InputError naming it. */
export function parseTrainStageOptions(params: Readonly<Record<string, unknown>>): TrainStageOptions {
  return {
    model: parseModelOptions(params),
    train: parseTrainOptions(params),
    loss: parseLossOptions(params),
    augment: parseAugmentOptions(params),
  };
}

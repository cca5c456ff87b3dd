/**
 * The enumerated params of the pipeline as typed unions with their allowed values, so an options
 * module, a stage and `predict` never compare free strings.
 *
 * Owns: `Task`, `Arch` and `Equalize`, the enums that several modules read. Does not
 * own: what each value does (data/, models/, ...). Enums read by one module only stay in that module.
 */

/** What a dataset's labels mean (params `data.task`, recorded in labels.json). */
export const TASKS = ['multilabel', 'binary', 'multiclass'] as const;
export type Task = (typeof TASKS)[number];

/** Architectures of the model zoo (params `model.arch`). */
export const ARCHS = ['chestnet_s', 'resnet18', 'resnet34', 'mobilenet_v3_small', 'efficientnet_b0'] as const;
export type Arch = (typeof ARCHS)[number];

/** Histogram equalisation of the preprocessing (params `preprocess.equalize`). */
export const EQUALIZE = ['global', 'clahe', 'none'] as const;
export type Equalize = (typeof EQUALIZE)[number];

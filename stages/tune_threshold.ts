/**
 * Stage `tune_threshold`: models/model + data/preprocessed (val split) → metrics/thresholds.json.
 *
 * Per label, picks the decision threshold by `tune_threshold.strategy` under the optional hard
 * constraints (src/ml/eval/thresholds.ts) and warns, naming the label, when a constraint cannot be met.
 */
import { defineStage, StageInputError, type StageContext } from '../src/stage-api/index.js';
import { labelColumn } from '../src/ml/data/dataset.js';
import { writeFileAtomic } from '../src/shared/atomic.js';
import { parseTuneOptions } from '../src/ml/eval/options.js';
import { column } from '../src/ml/eval/predict.js';
import { scoreSplit } from '../src/ml/eval/scoring.js';
import { chooseThreshold } from '../src/ml/eval/thresholds.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { runtimeOptions } from '../src/ml/runtime/params.js';
import { declaredPaths } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';

const r6 = (v: number | null): number | null => (v === null ? null : Number(v.toFixed(6)));

async function run(ctx: StageContext): Promise<void> {
  const options = parseTuneOptions(ctx.params);
  const PATHS = declaredPaths(ctx, ['preprocessed', 'model', 'thresholds']);
  const runtime = await initRuntime(runtimeOptions(ctx.params, (l) => ctx.log.info(l)));
  ctx.log.info(`scoring the validation split with the ${runtime.backend} backend`);
  const { model, labelSpace, data, probs } = await scoreSplit(
    ctx.path(PATHS.model),
    ctx.path(PATHS.preprocessed),
    'val',
  );
  model.dispose();
  await data.close();
  const L = labelSpace.labels.length;
  const labels: Record<string, unknown> = {};
  labelSpace.labels.forEach((label, l) => {
    const choice = chooseThreshold(column(probs, L, l), labelColumn(data, l), options);
    if (!choice.feasible) {
      ctx.log.warn(
        `${label}: ${choice.notes.join('; ')}; chose threshold ${choice.threshold.toFixed(4)} (closest to the constraints)`,
      );
    } else if (choice.notes.length > 0) {
      ctx.log.warn(`${label}: ${choice.notes.join('; ')}`);
    }
    labels[label] = {
      threshold: choice.threshold,
      feasible: choice.feasible,
      notes: choice.notes,
      val: {
        sensitivity: r6(choice.sensitivity),
        specificity: r6(choice.specificity),
        precision: r6(choice.precision),
        f1: r6(choice.f1),
        confusion: choice.confusion,
      },
    };
    ctx.log.info(
      `${label}: threshold ${choice.threshold.toFixed(4)}  sens ${choice.sensitivity?.toFixed(3) ?? 'n/a'}  spec ${choice.specificity?.toFixed(3) ?? 'n/a'}`,
    );
  });
  const out = {
    task: labelSpace.task,
    split: 'val',
    images: data.n,
    strategy: options.strategy,
    costs: options.strategy === 'cost' ? { c_fn: options.costFn, c_fp: options.costFp } : null,
    constraints: {
      min_specificity: options.minSpecificity,
      min_sensitivity: options.minSensitivity,
      min_threshold: options.minThreshold,
    },
    labels,
  };
  await writeFileAtomic(ctx.path(PATHS.thresholds), JSON.stringify(out, null, 2) + '\n');
}

export default defineStage({
  run: (ctx) =>
    asUserErrors(
      () => run(ctx),
      (message) => new StageInputError(message),
    ),
});

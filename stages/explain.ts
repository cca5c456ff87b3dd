/**
 * Stage `explain`: models/model + data/preprocessed (test split) + metrics/thresholds.json →
 * reports/explain/ (overlay PNGs + index.html) and metrics/explain.json (share of positive
 * attribution inside the lung fields, per method and label).
 *
 * The work is in src/ml/explain; this module maps params, picks the Grad-CAM layer and swaps the
 * output folder in atomically.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineStage, StageInputError, type StageContext } from '../src/stage-api/index.js';
import { makeStagingDir, replaceDir, writeFileAtomic } from '../src/shared/atomic.js';
import { scoreSplit } from '../src/ml/eval/scoring.js';
import { thresholdsFromJson } from '../src/ml/eval/thresholds.js';
import { galleryHtml } from '../src/ml/explain/gallery.js';
import { countCases, runExplainJob } from '../src/ml/explain/job.js';
import { parseExplainOptions } from '../src/ml/explain/options.js';
import { lastConvLayerName } from '../src/ml/models/index.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { runtimeOptions } from '../src/ml/runtime/params.js';
import { invalid } from '../src/ml/params/index.js';
import { declaredPaths } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';

const pct = (v: unknown): string => (typeof v === 'number' ? `${(100 * v).toFixed(0)}%` : 'n/a');

async function run(ctx: StageContext): Promise<void> {
  const options = parseExplainOptions(ctx.params);
  const PATHS = declaredPaths(ctx, ['preprocessed', 'model', 'thresholds', 'explainReport', 'explainMetrics']);
  const runtime = await initRuntime(runtimeOptions(ctx.params, (l) => ctx.log.info(l)));
  const scored = await scoreSplit(ctx.path(PATHS.model), ctx.path(PATHS.preprocessed), 'test');
  const { model, labelSpace, data } = scored;
  const layer = options.layer ?? lastConvLayerName(model);
  if (!model.layers.some((l) => l.name === layer)) {
    invalid(`a layer name of the model (e.g. ${lastConvLayerName(model)})`, 'explain.layer', layer);
  }
  const thresholds = thresholdsFromJson(
    await readFile(ctx.path(PATHS.thresholds), 'utf8'),
    labelSpace.labels,
    PATHS.thresholds,
  );
  const outDir = ctx.path(PATHS.explainReport);
  const staging = await makeStagingDir(outDir);
  const job = { ...scored, layer, thresholds, options, outDir: staging };
  ctx.log.info(
    `explaining with Grad-CAM on '${layer}' and Integrated Gradients (${options.steps} steps), ${runtime.backend} backend`,
  );
  ctx.progress.start({ label: 'explain', total: countCases(job), unit: 'img' });
  const result = await runExplainJob({ ...job, tick: () => ctx.progress.tick() }).finally(() => data.close());
  ctx.progress.done();
  model.dispose();
  await writeFileAtomic(
    path.join(staging, 'index.html'),
    galleryHtml(result.sections, {
      maskSource: result.maskSource,
      lungArea: result.lungArea,
      layer,
      steps: options.steps,
    }),
  );
  await replaceDir(staging, outDir);
  await writeFileAtomic(ctx.path(PATHS.explainMetrics), JSON.stringify(result.metrics, null, 2) + '\n');
  if (!data.hasMasks)
    ctx.log.warn(
      'the dataset has no lung masks: lung shares use the template mask (see docs/model.md#explain-test-split)',
    );
  for (const s of result.sections) {
    ctx.log.info(
      `${s.label}: in lungs Grad-CAM ${pct(s.shares.grad_cam)}, IG ${pct(s.shares.integrated_gradients)} (lung area ${pct(result.lungArea)})`,
    );
  }
  ctx.log.info(`gallery: ${PATHS.explainReport}/index.html`);
}

export default defineStage({
  run: (ctx) =>
    asUserErrors(
      () => run(ctx),
      (message) => new StageInputError(message),
    ),
});

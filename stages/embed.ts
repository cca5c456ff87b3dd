/**
 * Stage `embed`: models/model + data/preprocessed (test split) → reports/embed/ (index.html: interactive
 * t-SNE scatter with hover thumbnails; scatter.png; points.csv) and metrics/embed.json (how well labels
 * and metadata groups separate, in the embeddings and in the map).
 *
 * The work is in src/ml/embed; this module maps params and paths and swaps the output folder in atomically.
 */
import path from 'node:path';
import { defineStage, StageInputError, type StageContext } from '../src/stage-api/index.js';
import { makeStagingDir, replaceDir, writeFileAtomic } from '../src/shared/atomic.js';
import { loadModelAndSplit } from '../src/ml/eval/scoring.js';
import { loadSplitMeta, runEmbedJob } from '../src/ml/embed/job.js';
import { parseEmbedOptions } from '../src/ml/embed/options.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { runtimeOptions } from '../src/ml/runtime/params.js';
import { declaredPaths } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';

async function run(ctx: StageContext): Promise<void> {
  const options = parseEmbedOptions(ctx.params);
  const PATHS = declaredPaths(ctx, ['preprocessed', 'model', 'embedReport', 'embedMetrics']);
  const runtime = await initRuntime(runtimeOptions(ctx.params, (l) => ctx.log.info(l)));
  const dataDir = ctx.path(PATHS.preprocessed);
  const loaded = await loadModelAndSplit(ctx.path(PATHS.model), dataDir, 'test');
  const meta = await loadSplitMeta(dataDir, 'test');
  ctx.log.info(`embedding the test split with the ${runtime.backend} backend`);
  const data = await loaded.data.read([...Array(loaded.data.n).keys()]);
  await loaded.data.close();
  const result = await runEmbedJob({ ...loaded, data, meta, options, log: (l) => ctx.log.info(l) });
  loaded.model.dispose();
  const outDir = ctx.path(PATHS.embedReport);
  const staging = await makeStagingDir(outDir);
  await writeFileAtomic(path.join(staging, 'index.html'), result.html);
  await writeFileAtomic(path.join(staging, 'scatter.png'), result.png);
  await writeFileAtomic(path.join(staging, 'points.csv'), result.csv);
  await replaceDir(staging, outDir);
  await writeFileAtomic(ctx.path(PATHS.embedMetrics), JSON.stringify(result.metrics, null, 2) + '\n');
  ctx.log.info(`scatter: ${PATHS.embedReport}/index.html (${PATHS.embedReport}/scatter.png)`);
}

export default defineStage({
  run: (ctx) =>
    asUserErrors(
      () => run(ctx),
      (message) => new StageInputError(message),
    ),
});

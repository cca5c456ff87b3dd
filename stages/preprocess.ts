// Stage `preprocess`: resize → histogram-equalise → Gaussian-blur every image of data/split into packed
// uint8 tensors in data/preprocessed (contract: src/ml/data/preprocessed-format.ts) and draw the contact
// sheet. Per-image results are cached in the stage's scratch directory (.xpipe/scratch/preprocess/), so
// they survive re-runs without being outs.
import path from 'node:path';
import { defineStage, StageInputError } from '../src/stage-api/index.js';
import { parsePreprocessParams } from '../src/ml/data/preprocess/options.js';
import { runPreprocess } from '../src/ml/data/preprocess/run.js';
import { declaredPaths, PIPELINE_PATHS, WORK_DIRS } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';

export default defineStage({
  async run(ctx) {
    await asUserErrors(
      async () => {
        const o = parsePreprocessParams(ctx.params['preprocess']);
        const PATHS = declaredPaths(ctx, ['split', 'preprocessed']);
        // the contact sheet is optional: drawn only when the stage declares it
        const sheet = ctx.plots.some((p) => p === PIPELINE_PATHS.contactSheet) ? PIPELINE_PATHS.contactSheet : null;
        const started = Date.now();
        const summary = await runPreprocess(
          {
            projectRoot: ctx.wdir,
            splitDir: ctx.path(PATHS.split),
            outDir: ctx.path(PATHS.preprocessed),
            cacheDir: path.join(ctx.scratchDir, WORK_DIRS.preprocessCache),
            sheetFile: sheet ? ctx.path(sheet) : null,
            signal: ctx.signal,
            onStart: (total) => ctx.progress.start({ label: 'preprocess', total, unit: 'img' }),
            onImage: () => ctx.progress.tick(),
          },
          o,
        );
        const secs = (Date.now() - started) / 1000;
        const total = summary.hits + summary.misses;
        ctx.progress.done(`${total} images in ${secs.toFixed(1)} s`);
        ctx.log.info(
          `preprocessed ${total} images to ${o.size}x${o.size} (equalize ${o.equalize}, blur ${o.blurKsize}): cache ${summary.hits} hits, ${summary.misses} misses; train mean ${summary.stats.mean.toFixed(4)} std ${summary.stats.std.toFixed(4)}`,
        );
      },
      (m) => new StageInputError(m),
    );
  },
});

// Stage `split`: reads the dataset named by the `data` params (NIH, Kermany, or a CSV described by
// data.csv) and writes data/split/{train,val,test}.csv, labels.json and report.json with no patient in two
// splits and the rows the filter rules left out counted by reason.
import { defineStage, StageInputError } from '../src/stage-api/index.js';
import { declaredPath } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';
import { parseSplitParams, runSplit } from '../src/ml/data/split-run.js';

export default defineStage({
  async run(ctx) {
    await asUserErrors(
      async () => {
        const params = parseSplitParams(ctx.params['data'], ctx.params['split']);
        const outRel = declaredPath(ctx, 'split');
        const { report, warnings } = await runSplit(ctx.wdir, ctx.path(outRel), params);
        for (const w of warnings) ctx.log.warn(w);
        for (const f of report.filtered) {
          if (f.rows === 0) continue;
          const values = Object.entries(f.values).map(([v, n]) => `${v === '' ? '(empty)' : v} ${n}`);
          ctx.log.info(`filter ${f.column} in [${f.allowed.join(', ')}] left out ${f.rows} rows: ${values.join(', ')}`);
        }
        const parts = (['train', 'val', 'test'] as const).map(
          (s) => `${s} ${report.splits[s].images} images / ${report.splits[s].patients} patients`,
        );
        ctx.log.info(
          `${report.format} dataset at ${params.root} (${params.task}): ${parts.join(', ')}; patient overlap ${report.patientOverlap}; max label-ratio error ${report.maxLabelRatioError}${report.metaColumns.length > 0 ? `; metadata ${report.metaColumns.join(', ')}` : ''}`,
        );
      },
      (m) => new StageInputError(m),
    );
  },
});

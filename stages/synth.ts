// Stage `synth`: generates the default synthetic chest X-ray dataset in the NIH ChestX-ray14 layout
// (data/raw/images, data/raw/masks, data/raw/Data_Entry_2017.csv). Params: the `synth` section.
import { defineStage, StageInputError } from '../src/stage-api/index.js';
import { declaredPath } from '../src/ml/paths.js';
import { asUserErrors } from '../src/ml/stage-errors.js';
import { generateSynthetic, parseSynthParams } from '../src/ml/data/synth/generate.js';

export default defineStage({
  async run(ctx) {
    await asUserErrors(
      async () => {
        const opts = parseSynthParams(ctx.params['synth']);
        const outRel = declaredPath(ctx, 'raw');
        const out = ctx.path(outRel);
        const started = Date.now();
        ctx.progress.start({ label: 'synth patients', total: opts.patients, unit: 'patient' });
        const result = await generateSynthetic(out, opts, { signal: ctx.signal, onPatient: () => ctx.progress.tick() });
        const secs = (Date.now() - started) / 1000;
        ctx.progress.done(`${result.images} images, ${result.patients} patients in ${secs.toFixed(1)} s`);
        const counts = Object.entries(result.labelCounts)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        ctx.log.info(
          `wrote ${result.images} images of ${result.patients} patients (${opts.size}x${opts.size}) to ${outRel}; labels: ${counts}`,
        );
      },
      (m) => new StageInputError(m),
    );
  },
});

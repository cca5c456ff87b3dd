/**
 * `xpipe predict` output: one row per image, the positive labels first, then every label's
 * probability (`*` marks a probability at or above the label's threshold), and the JSON form.
 *
 * Owns: the layout of predictions. Does not own: computing them (src/ml/predict).
 */
import type { PredictOutcome } from '../../ml/index.js';
import type { TextTable } from './report-table.js';

/** `File | Positive | <label>...`; an image that failed shows `error` and its message in stderr. */
export function predictTable(o: PredictOutcome): TextTable {
  return {
    header: ['File', 'Positive', ...o.labels],
    rows: o.images.map((img) => {
      if (!img.probabilities) return [img.file, 'error', ...o.labels.map(() => '-')];
      const positive = o.labels.filter((_, l) => img.decisions![l]);
      return [
        img.file,
        positive.join(', ') || '(none)',
        ...img.probabilities.map((p, l) => `${p.toFixed(3)}${img.decisions![l] ? '*' : ''}`),
      ];
    }),
  };
}

/** `{ labels, thresholds, backend, images: [{ file, probabilities: {label: p}, positive: [...] } | { file, error }] }`. */
export function predictJson(o: PredictOutcome): unknown {
  return {
    labels: o.labels,
    thresholds: Object.fromEntries(o.labels.map((l, i) => [l, o.thresholds[i]])),
    backend: o.backend,
    preprocess_params_from: o.preprocessFrom,
    images: o.images.map((img) =>
      img.probabilities
        ? {
            file: img.file,
            probabilities: Object.fromEntries(o.labels.map((l, i) => [l, img.probabilities![i]])),
            positive: o.labels.filter((_, i) => img.decisions![i]),
            ...(img.overlays ? { overlays: img.overlays } : {}),
          }
        : { file: img.file, error: img.error },
    ),
  };
}

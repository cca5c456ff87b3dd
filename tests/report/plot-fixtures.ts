// Small but realistic plot and metrics files (the chest X-ray stages' shapes) for report tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const LABELS = ['Effusion', 'Nodule', 'Pneumonia'];

/** Writes plots/*.csv and metrics/*.json under `root`; `shift` changes the numbers for a second revision. */
export function writePlotFixtures(root: string, shift = 0): void {
  mkdirSync(path.join(root, 'plots'), { recursive: true });
  mkdirSync(path.join(root, 'metrics'), { recursive: true });
  const history = ['epoch,loss,val_loss,val_auc,lr,seconds'];
  for (let e = 1; e <= 8; e++) {
    history.push(
      [
        e,
        (1 / e + shift).toFixed(4),
        (1.2 / e + 0.05 + shift).toFixed(4),
        (0.6 + 0.03 * e - shift).toFixed(4),
        0.001,
        2.5,
      ].join(','),
    );
  }
  writeFileSync(path.join(root, 'plots/train_history.csv'), history.join('\n') + '\n');
  const roc = ['label,fpr,tpr,threshold'];
  const pr = ['label,recall,precision,threshold'];
  const confusion = ['label,at,actual,predicted,count'];
  LABELS.forEach((label, i) => {
    for (let k = 0; k <= 10; k++) {
      const f = k / 10;
      roc.push(
        [label, f, Math.min(1, Math.sqrt(f) + 0.05 * i - shift).toFixed(4), k === 0 ? 'inf' : (1 - f).toFixed(2)].join(
          ',',
        ),
      );
      pr.push([label, f, (1 - 0.5 * f * f - 0.05 * i + shift).toFixed(4), (1 - f).toFixed(2)].join(','));
    }
    for (const at of ['0.5', 'tuned']) {
      for (const [a, p, n] of [
        ['negative', 'negative', 50 + i],
        ['negative', 'positive', 7],
        ['positive', 'negative', 5 + i],
        ['positive', 'positive', 20],
      ] as const) {
        confusion.push([label, at, a, p, n + Math.round(shift * 10) + (at === 'tuned' ? 3 : 0)].join(','));
      }
    }
  });
  writeFileSync(path.join(root, 'plots/roc.csv'), roc.join('\n') + '\n');
  writeFileSync(path.join(root, 'plots/pr.csv'), pr.join('\n') + '\n');
  writeFileSync(path.join(root, 'plots/confusion.csv'), confusion.join('\n') + '\n');
  const perLabel = Object.fromEntries(
    LABELS.map((l, i) => [l, { auc: 0.8 - 0.05 * i + shift, ap: 0.5 + 0.1 * i, threshold: 0.4 }]),
  );
  writeFileSync(
    path.join(root, 'metrics/eval.json'),
    JSON.stringify({ auc_macro: 0.75 + shift, per_label: perLabel }, null, 2),
  );
  writeFileSync(
    path.join(root, 'metrics/train.json'),
    JSON.stringify({ epochs: 8, best: { loss: 0.2, val_auc: 0.84 + shift }, backend: 'cpu' }, null, 2),
  );
}

export const FIXTURE_PLOTS = ['plots/train_history.csv', 'plots/roc.csv', 'plots/pr.csv', 'plots/confusion.csv'];
export const FIXTURE_METRICS = ['metrics/train.json', 'metrics/eval.json'];

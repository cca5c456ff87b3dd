// The eval.json report: a label with no positives is null with a reason, macro skips it, micro pools,
// the multiclass confusion matrix and per-class precision/recall/F1 match a hand count, CSVs are long format.
import { describe, expect, it } from 'vitest';
import { confusionCsv, formatProbability, predictionsCsv, rocCsv } from '../../../src/ml/eval/csv.js';
import { evaluationReport, multiclassReport, type LabelReport } from '../../../src/ml/eval/report.js';

describe('evaluationReport', () => {
  // 4 images × 2 labels; label B has no positives in this split
  const probs = new Float32Array([0.9, 0.2, 0.6, 0.7, 0.4, 0.1, 0.1, 0.3]);
  const truth = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0]);
  const report = evaluationReport({
    task: 'multilabel',
    labels: ['A', 'B'],
    probs,
    truth,
    thresholds: [0.5, 0.5],
    bootstrap: 50,
    seed: 1,
  });
  const [a, b] = report.labels as LabelReport[];

  it('reports AUC and AP per label, and null with a reason for a label without positives', () => {
    // A: positives 0.9, 0.4; negatives 0.6, 0.1 → 3/4
    expect(a?.auc).toBe(0.75);
    expect(b?.auc).toBeNull();
    expect(b?.average_precision).toBeNull();
    expect(b?.undefined?.auc).toBe('no positive cases in this split');
    expect(b?.at_0_5.sensitivity).toBeNull();
    expect(b?.at_0_5.undefined?.sensitivity).toBe('no positive cases');
    expect(b?.auc_ci95).toEqual([null, null]);
  });

  it('macro averages only defined labels; micro pools every (image, label) pair', () => {
    const macro = report.macro as { auc: number; at_0_5: { specificity: number } };
    expect(macro.auc).toBe(0.75);
    // specificity at 0.5: A 1/2 (0.6 is a false alarm), B 3/4 (0.7) → 0.625
    expect(macro.at_0_5.specificity).toBe(0.625);
    const micro = report.micro as { at_0_5: { confusion: object } };
    expect(micro.at_0_5.confusion).toEqual({ tp: 1, fp: 2, tn: 4, fn: 1 });
    expect(JSON.stringify(report)).not.toMatch(/NaN/);
  });

  it('writes long-format CSVs', () => {
    expect(
      confusionCsv(report.labels as LabelReport[])
        .split('\n')
        .slice(0, 3),
    ).toEqual(['label,at,actual,predicted,count', 'A,0.5,positive,positive,1', 'A,0.5,positive,negative,1']);
    const roc = rocCsv(['A', 'B'], probs, truth).trim().split('\n');
    expect(roc[1]).toBe('A,inf,0,0');
    expect(roc.every((line) => !line.startsWith('B,'))).toBe(true);
  });
});

describe('multiclassReport', () => {
  it('matches a hand-counted confusion matrix and per-class metrics', () => {
    // truth: 0,0,1,1,2 ; argmax predictions: 0,1,1,1,0
    const truth = new Float32Array([1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
    const probs = new Float32Array([0.8, 0.1, 0.1, 0.3, 0.6, 0.1, 0.2, 0.7, 0.1, 0.1, 0.8, 0.1, 0.5, 0.2, 0.3]);
    const r = multiclassReport(['n', 'b', 'v'], probs, truth) as any;
    expect(r.confusion_matrix.rows_actual_cols_predicted).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    expect(r.accuracy).toBe(0.6);
    expect(r.per_class[1]).toMatchObject({ label: 'b', support: 2, precision: 0.666667, recall: 1, f1: 0.8 });
    expect(r.per_class[2]).toMatchObject({ precision: null, recall: 0, f1: 0 });
    expect(r.per_class[2].undefined.precision).toBe('never predicted');
  });
});

describe('predictions.csv', () => {
  it('prints each probability so that it reads back as the same float32', () => {
    const probs = new Float32Array([0.1, 1 / 3]);
    const text = predictionsCsv(['x.png'], ['A', 'B'], probs);
    const values = text.trim().split('\n')[1].split(',').slice(1).map(Number);
    expect(Float32Array.from(values)).toEqual(probs);
    expect(formatProbability(probs[1])).toBe(String(probs[1]));
  });
});

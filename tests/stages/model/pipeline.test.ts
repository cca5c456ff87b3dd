// End to end through the real stage modules, in-process: train → tune_threshold → evaluate → explain on
// a tiny fixture in the preprocessed format (16×16, chestnet_s, 2 epochs), checking every output's schema.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StageInputError } from '../../../src/stage-api/index.js';
import evaluate from '../../../stages/evaluate.js';
import explain from '../../../stages/explain.js';
import train from '../../../stages/train.js';
import tuneThreshold from '../../../stages/tune_threshold.js';
import { makeTestContext } from '../../helpers/stage-context.js';
import { declaredIn } from '../declared.js';
import { writeFixture } from './fixture-data.js';
import { scoreSplit } from '../../../src/ml/eval/scoring.js';
import { parseTuneOptions } from '../../../src/ml/eval/options.js';
import { column } from '../../../src/ml/eval/predict.js';
import { chooseThreshold } from '../../../src/ml/eval/thresholds.js';
import { labelColumn } from '../../../src/ml/data/dataset.js';
import { initRuntime } from '../../../src/ml/runtime/index.js';
import { brierScore } from '../../../src/ml/eval/calibration.js';
import { fitTemperature } from '../../../src/ml/eval/temperature.js';
import sharp from 'sharp';

const PARAMS = {
  model: { arch: 'chestnet_s', pretrained: null },
  train: { seed: 1, epochs: 2, batch_size: 16, lr: 0.002, warmup_epochs: 0, patience: 3 },
  loss: { pos_weight: 'balanced' },
  augment: { hflip: 0.5, rotate: { p: 0.5, degrees: 5 } },
  runtime: { backend: 'wasm' },
  data: { task: 'multilabel' },
  // a missed positive costs 50 false alarms, so without min_specificity the choice has false positives
  tune_threshold: { strategy: 'cost', c_fn: 50, c_fp: 1, min_specificity: 0.99 },
  // the fixture's test split has 20 images: 2 cases of each class make a subgroup AUC
  evaluate: { bootstrap: 50, subgroup_min_cases: 2, calibrate: 'none' },
  explain: { per_label: 1, steps: 4, panel: 64 },
};

let root: string;
const read = async (rel: string): Promise<string> => readFile(path.join(root, rel), 'utf8');
const json = async (rel: string): Promise<Record<string, any>> => JSON.parse(await read(rel));

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'xpipe-model-'));
  await writeFixture(path.join(root, 'data/preprocessed'), {
    size: 16,
    counts: { train: 40, val: 16, test: 20 },
    hardValNegatives: true,
    meta: true,
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('model stages, end to end', () => {
  it('train writes the model, metrics/train.json and the history, and removes its checkpoint', async () => {
    const ctx = makeTestContext({ root, params: PARAMS, ...declaredIn('train') });
    await train.run(ctx);
    expect(existsSync(path.join(root, 'models/model/model.json'))).toBe(true);
    const m = await json('metrics/train.json');
    expect(m).toMatchObject({
      task: 'multilabel',
      labels: ['Mass', 'Effusion'],
      arch: 'chestnet_s',
      backend: 'wasm',
      epochs_run: 2,
    });
    expect(m.best_epoch).toBeGreaterThanOrEqual(1);
    expect(m.images_per_second).toBeGreaterThan(0);
    expect(Object.keys(m.best)).toEqual(['loss', 'val_loss', 'val_auc', 'val_ap', 'val_auc_per_label']);
    expect(Object.keys(m.best.val_auc_per_label)).toEqual(['Mass', 'Effusion']);
    const history = (await read('plots/train_history.csv')).trim().split('\n');
    expect(history[0]).toBe('epoch,loss,val_loss,val_auc,lr,seconds');
    expect(history).toHaveLength(3);
    expect(await readdir(path.join(ctx.scratchDir, 'checkpoints'))).toEqual([]);
    expect(ctx.messages.some((l) => /backend wasm/.test(l))).toBe(true);
  });

  it('tune_threshold writes one threshold per label with its validation rates', async () => {
    await tuneThreshold.run(makeTestContext({ root, params: PARAMS, ...declaredIn('tune_threshold') }));
    const t = await json('metrics/thresholds.json');
    expect(t).toMatchObject({ split: 'val', images: 16, strategy: 'cost', constraints: { min_specificity: 0.99 } });
    // the constraint holds on the validation data, recomputed here from the model's own scores
    await initRuntime({ backend: 'wasm' });
    const { model, data, probs } = await scoreSplit(
      path.join(root, 'models/model'),
      path.join(root, 'data/preprocessed'),
      'val',
    );
    model.dispose();
    ['Mass', 'Effusion'].forEach((label, l) => {
      const thr = t.labels[label].threshold as number;
      const negatives = [...Array(data.n).keys()].filter((i) => data.labels[i * 2 + l] === 0);
      const trueNegatives = negatives.filter((i) => probs[i * 2 + l] < thr).length;
      expect(negatives.length).toBeGreaterThan(0);
      expect(trueNegatives / negatives.length, label).toBeGreaterThanOrEqual(0.99);
    });
    // the constraint binds: without it the same scores give a threshold that breaks it (else this test proves nothing)
    const unconstrained = parseTuneOptions({ tune_threshold: { ...PARAMS.tune_threshold, min_specificity: null } });
    const binds = ['Mass', 'Effusion'].some((_, l) => {
      const c = chooseThreshold(column(probs, 2, l), labelColumn(data, l), unconstrained);
      return (c.specificity ?? 1) < 0.99;
    });
    expect(binds).toBe(true);
    for (const label of ['Mass', 'Effusion']) {
      expect(t.labels[label].threshold).toBeGreaterThanOrEqual(0);
      expect(t.labels[label].threshold).toBeLessThanOrEqual(1);
      expect(Object.keys(t.labels[label].val)).toEqual(['sensitivity', 'specificity', 'precision', 'f1', 'confusion']);
    }
  });

  it('evaluate writes eval.json, the plot CSVs and the test predictions', async () => {
    await evaluate.run(makeTestContext({ root, params: PARAMS, ...declaredIn('evaluate') }));
    const e = await json('metrics/eval.json');
    expect(e).toMatchObject({ task: 'multilabel', images: 20, bootstrap_resamples: 50 });
    expect(Object.keys(e.macro)).toEqual(['auc', 'auc_ci95', 'average_precision', 'at_0_5', 'at_tuned']);
    expect(e.labels).toHaveLength(2);
    for (const l of e.labels) {
      expect(Object.keys(l.at_tuned)).toEqual(
        expect.arrayContaining([
          'threshold',
          'sensitivity',
          'specificity',
          'precision',
          'f1',
          'accuracy',
          'balanced_accuracy',
          'confusion',
        ]),
      );
      const c = l.at_0_5.confusion;
      expect(c.tp + c.fp + c.tn + c.fn).toBe(20);
    }
    expect((await read('plots/roc.csv')).split('\n')[0]).toBe('label,threshold,fpr,tpr');
    expect((await read('plots/pr.csv')).split('\n')[0]).toBe('label,threshold,recall,precision');
    const confusion = (await read('plots/confusion.csv')).trim().split('\n');
    expect(confusion[0]).toBe('label,at,actual,predicted,count');
    expect(confusion).toHaveLength(1 + 2 * 2 * 4);
    const predictions = (await read('reports/predictions.csv')).trim().split('\n');
    expect(predictions[0]).toBe('id,Mass,Effusion');
    // exactly the test split's images, in order (val has another size and other ids)
    const testIds = (await json('data/preprocessed/test.json')).ids as string[];
    expect(predictions.slice(1).map((row) => row.split(',')[0])).toEqual(testIds);
  });

  it('evaluate adds calibration (ECE, Brier, reliability plot and PNG) computed on the test split', async () => {
    const e = await json('metrics/eval.json');
    expect(e.calibration).toMatchObject({ bins: 10, method: 'none' });
    expect(e.calibration.binning).toMatch(/^10 equal-width bins over \[0, 1\]/);
    expect(e.calibration.temperature).toBeUndefined();
    // Brier recomputed from the written test predictions and the test split's truth
    const test = await json('data/preprocessed/test.json');
    const rows = (await read('reports/predictions.csv')).trim().split('\n').slice(1);
    ['Mass', 'Effusion'].forEach((label, l) => {
      const scores = rows.map((r) => Number(r.split(',')[l + 1]));
      const truth = (test.labels as number[][]).map((t) => t[l]);
      const entry = e.calibration.labels.find((x: { label: string }) => x.label === label);
      expect(entry.brier).toBeCloseTo(brierScore(scores, truth)!, 6);
      expect(entry.ece).toBeGreaterThanOrEqual(0);
    });
    // (the JSON rounds each figure to 6 decimals, so the mean of rounded values agrees to 5)
    expect(e.calibration.macro.brier).toBeCloseTo(
      (e.calibration.labels[0].brier + e.calibration.labels[1].brier) / 2,
      5,
    );
    const csv = (await read('plots/calibration.csv')).trim().split('\n');
    expect(csv[0]).toBe('label,scaling,bin_low,bin_high,mean_predicted,fraction_positive,count');
    const counted = csv.slice(1).filter((r) => r.startsWith('Mass,none,'));
    expect(counted.reduce((s, r) => s + Number(r.split(',')[6]), 0)).toBe(20);
    const png = await sharp(path.join(root, 'reports/calibration.png')).metadata();
    expect(png).toMatchObject({ format: 'png' });
    expect(png.width).toBeGreaterThan(400);
  });

  it('evaluate reports AUC per view, sex and age band from the split metadata, small subgroups as such', async () => {
    const e = await json('metrics/eval.json');
    const groups = e.subgroups.groups as { id: string; n: number; labels: any[]; macro: any }[];
    expect(groups.map((g) => [g.id, g.n])).toEqual([
      ['view=PA', 6],
      ['view=AP', 13],
      ['sex=F', 10],
      ['sex=M', 10],
      ['age=<40', 7],
      ['age=40-<60', 8],
      ['age=>=60', 4],
    ]);
    const female = groups.find((g) => g.id === 'sex=F')!;
    // in the fixture every Mass case is male: F has no Mass positive, reported and not crashed on
    expect(female.labels[0]).toMatchObject({ label: 'Mass', positives: 0, negatives: 10, auc: null });
    expect(female.labels[0].undefined.auc).toMatch(/too few cases for an AUC: 0 positives, 10 negatives/);
    expect(female.labels[1]).toMatchObject({ label: 'Effusion', positives: 5, negatives: 5 });
    expect(female.labels[1].auc).toBeGreaterThanOrEqual(0);
    expect(female.labels[1].auc_ci95[0]).toBeLessThanOrEqual(female.labels[1].auc);
    const effusion = female.labels[1];
    // a zero-width CI (perfect separation in every resample) is never flagged
    expect(effusion.ci_excludes_overall).toEqual(
      effusion.auc_ci95[0] === effusion.auc_ci95[1]
        ? null
        : effusion.auc_ci95[0] > effusion.overall_auc || effusion.auc_ci95[1] < effusion.overall_auc,
    );
    expect(e.subgroups.flagged).toEqual(expect.any(Array));
    expect((await read('reports/subgroups.csv')).split('\n')[0]).toMatch(/^attribute,group,label,n,positives/);
    expect(await read('reports/subgroups.md')).toMatch(/\| sex=F \| Mass \| 10 \| 0 \| n\/a \(too few cases/);
  });

  it('evaluate with calibrate: temperature fits T on val, reports before/after and leaves the test metrics alone', async () => {
    const before = await json('metrics/eval.json');
    const params = { ...PARAMS, evaluate: { ...PARAMS.evaluate, calibrate: 'temperature' } };
    const ctx = makeTestContext({ root, params, ...declaredIn('evaluate') });
    await evaluate.run(ctx);
    const e = await json('metrics/eval.json');
    const { calibration, subgroups, ...rest } = e;
    const { calibration: _c, subgroups: _s, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
    expect(subgroups).toEqual(before.subgroups);
    expect(calibration).toMatchObject({ method: 'temperature', macro: before.calibration.macro });
    expect(calibration.temperature).toMatchObject({ fitted_on: 'val', val_images: 16 });
    expect(calibration.temperature.val_nll_after).toBeLessThanOrEqual(calibration.temperature.val_nll_before);
    // T is the fit on the validation split's logits (not the test split's)
    await initRuntime({ backend: 'wasm' });
    const val = await scoreSplit(path.join(root, 'models/model'), path.join(root, 'data/preprocessed'), 'val');
    val.model.dispose();
    const fit = fitTemperature('multilabel', val.logits, val.data.labels, 2);
    expect(calibration.temperature.value).toBeCloseTo(fit.temperature, 5);
    expect(Object.keys(calibration.after)).toEqual(['macro', 'labels']);
    expect(await read('plots/calibration.csv')).toMatch(/^Mass \(T=\d+\.\d\d\),temperature,/m);
    expect(ctx.messages.some((m) => /scoring the validation split to fit the temperature/.test(m))).toBe(true);
  });

  it('explain writes overlays, the gallery and lung shares per method and label', async () => {
    await explain.run(makeTestContext({ root, params: PARAMS, ...declaredIn('explain') }));
    const x = await json('metrics/explain.json');
    expect(x).toMatchObject({ methods: ['grad_cam', 'integrated_gradients'], mask_source: 'dataset', ig_steps: 4 });
    for (const label of ['Mass', 'Effusion']) {
      for (const method of ['grad_cam', 'integrated_gradients']) {
        const share = x.labels[label][method].lung_share;
        expect(share === null || (share >= 0 && share <= 1)).toBe(true);
      }
    }
    const html = await read('reports/explain/index.html');
    expect(html).toMatch(/<h2>Mass<\/h2>/);
    for (const image of x.images) {
      expect(existsSync(path.join(root, 'reports/explain', image.file))).toBe(true);
      expect(html).toContain(image.file);
    }
  });

  it('rejects bad params with one StageInputError naming the field', async () => {
    const bad = makeTestContext({
      root,
      params: { ...PARAMS, train: { ...PARAMS.train, epochs: '10' } },
      ...declaredIn('train'),
    });
    await expect(train.run(bad)).rejects.toThrow(StageInputError);
    await expect(train.run(bad)).rejects.toThrow("expected positive integer for train.epochs, got '10' (string)");
    const task = makeTestContext({ root, params: { ...PARAMS, data: { task: 'binary' } }, ...declaredIn('train') });
    await expect(train.run(task)).rejects.toThrow(/data.task is 'binary' but the preprocessed data .* 'multilabel'/);
    const layer = makeTestContext({
      root,
      params: { ...PARAMS, explain: { layer: 'nope' } },
      ...declaredIn('explain'),
    });
    await expect(explain.run(layer)).rejects.toThrow(/for explain.layer, got 'nope'/);
    // a stage whose declarations and src/ml/paths.ts disagree stops before reading an untracked path
    const undeclared = makeTestContext({
      root,
      params: PARAMS,
      ...declaredIn('evaluate'),
      deps: declaredIn('evaluate').deps.filter((d) => d !== 'models/model'),
    });
    await expect(evaluate.run(undeclared)).rejects.toThrow(
      /stage evaluate does not declare models\/model \(the model artefact\)/,
    );
  });
});

describe('model stages on a multiclass dataset', () => {
  let mcRoot: string;
  beforeAll(async () => {
    mcRoot = await mkdtemp(path.join(os.tmpdir(), 'xpipe-model-mc-'));
    await writeFixture(path.join(mcRoot, 'data/preprocessed'), {
      size: 16,
      task: 'multiclass',
      masks: false,
      counts: { train: 30, val: 15, test: 15 },
    });
  });
  afterAll(async () => {
    await rm(mcRoot, { recursive: true, force: true });
  });

  it('trains with softmax, evaluates the argmax confusion matrix and explains with the template mask', async () => {
    const params = {
      ...PARAMS,
      data: { task: 'multiclass' },
      train: { ...PARAMS.train, epochs: 1 },
      loss: { type: 'focal', pos_weight: 'sqrt' },
    };
    await train.run(makeTestContext({ root: mcRoot, params, ...declaredIn('train') }));
    await tuneThreshold.run(makeTestContext({ root: mcRoot, params, ...declaredIn('tune_threshold') }));
    await evaluate.run(makeTestContext({ root: mcRoot, params, ...declaredIn('evaluate') }));
    const e = JSON.parse(await readFile(path.join(mcRoot, 'metrics/eval.json'), 'utf8'));
    expect(e.task).toBe('multiclass');
    const matrix: number[][] = e.multiclass.confusion_matrix.rows_actual_cols_predicted;
    expect(matrix).toHaveLength(3);
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(15);
    expect(e.multiclass.per_class.map((c: { support: number }) => c.support)).toEqual([5, 5, 5]);
    // no metadata in this fixture: the subgroup section says so, the table files still exist
    expect(e.subgroups).toMatchObject({ groups: [], note: 'the test split has no view, sex or age metadata' });
    expect(await readFile(path.join(mcRoot, 'reports/subgroups.md'), 'utf8')).toMatch(/no view, sex or age metadata/);
    expect(e.calibration.labels.map((c: { label: string }) => c.label)).toEqual(['normal', 'mass', 'effusion']);
    expect(await readFile(path.join(mcRoot, 'plots/confusion.csv'), 'utf8')).toMatch(/^all,argmax,normal,normal,\d+$/m);
    const ctx = makeTestContext({ root: mcRoot, params, ...declaredIn('explain') });
    await explain.run(ctx);
    const x = JSON.parse(await readFile(path.join(mcRoot, 'metrics/explain.json'), 'utf8'));
    expect(x.mask_source).toBe('template');
    expect(ctx.messages.some((m) => /warn: the dataset has no lung masks/.test(m))).toBe(true);
  });
});

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

const PARAMS = {
  model: { arch: 'chestnet_s', pretrained: null },
  train: { seed: 1, epochs: 2, batch_size: 16, lr: 0.002, warmup_epochs: 0, patience: 3 },
  loss: { pos_weight: 'balanced' },
  augment: { hflip: 0.5, rotate: { p: 0.5, degrees: 5 } },
  runtime: { backend: 'wasm' },
  data: { task: 'multilabel' },
  // a missed positive costs 50 false alarms, so without min_specificity the choice has false positives
  tune_threshold: { strategy: 'cost', c_fn: 50, c_fp: 1, min_specificity: 0.99 },
  evaluate: { bootstrap: 50 },
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
    expect(await readFile(path.join(mcRoot, 'plots/confusion.csv'), 'utf8')).toMatch(/^all,argmax,normal,normal,\d+$/m);
    const ctx = makeTestContext({ root: mcRoot, params, ...declaredIn('explain') });
    await explain.run(ctx);
    const x = JSON.parse(await readFile(path.join(mcRoot, 'metrics/explain.json'), 'utf8'));
    expect(x.mask_source).toBe('template');
    expect(ctx.messages.some((m) => /warn: the dataset has no lung masks/.test(m))).toBe(true);
  });
});

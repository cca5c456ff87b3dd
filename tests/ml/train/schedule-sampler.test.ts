// Learning-rate schedules, early stopping on scripted metric sequences, samplers and the seeded RNG.
import { describe, expect, it } from 'vitest';
import { initialEarlyStopping, observe } from '../../../src/ml/train/early-stopping.js';
import { Mulberry32 } from '../../../src/shared/rng.js';
import { drawWeighted, epochOrder, sampleWeights } from '../../../src/ml/train/sampler.js';
import {
  initialScheduleState,
  learningRate,
  observeMetric,
  type ScheduleOptions,
} from '../../../src/ml/train/schedule.js';

const sched: ScheduleOptions = {
  schedule: 'cosine',
  lr: 0.01,
  minLr: 0.001,
  epochs: 11,
  warmupEpochs: 0,
  plateauFactor: 0.5,
  plateauPatience: 1,
  maximize: true,
  minDelta: 0,
};

describe('schedules', () => {
  it('cosine goes from lr to min_lr, half-way at the middle epoch', () => {
    const s = initialScheduleState(sched);
    expect(learningRate(sched, s, 0)).toBeCloseTo(0.01, 12);
    expect(learningRate(sched, s, 5)).toBeCloseTo(0.0055, 12);
    expect(learningRate(sched, s, 10)).toBeCloseTo(0.001, 12);
  });

  it('warm-up ramps linearly before the schedule starts', () => {
    const o = { ...sched, warmupEpochs: 3 };
    const s = initialScheduleState(o);
    expect([0, 1, 2].map((e) => learningRate(o, s, e))).toEqual([0.0025, 0.005, 0.0075]);
    expect(learningRate(o, s, 3)).toBeCloseTo(0.01, 12);
  });

  it('reduce_on_plateau halves the rate after `patience` epochs without improvement', () => {
    const o = { ...sched, schedule: 'reduce_on_plateau' as const };
    let s = initialScheduleState(o);
    const lrs: number[] = [];
    for (const [epoch, auc] of [0.7, 0.8, 0.79, 0.78, 0.81, 0.8, 0.8].entries()) {
      lrs.push(learningRate(o, s, epoch));
      s = observeMetric(o, s, auc);
    }
    lrs.push(learningRate(o, s, 7));
    expect(lrs).toEqual([0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025]);
  });
});

describe('early stopping', () => {
  function run(values: (number | null)[], patience: number, minDelta = 0, maximize = true) {
    let state = initialEarlyStopping();
    for (const [epoch, v] of values.entries()) {
      const d = observe({ patience, minDelta, maximize }, state, epoch, v);
      state = d.state;
      if (d.stop) return { stoppedAt: epoch, best: state.bestEpoch };
    }
    return { stoppedAt: null, best: state.bestEpoch };
  }

  it('stops after `patience` epochs without improvement and remembers the best epoch', () => {
    expect(run([0.6, 0.7, 0.69, 0.68, 0.71, 0.7], 2)).toEqual({ stoppedAt: 3, best: 1 });
    expect(run([0.6, 0.7, 0.69, 0.71, 0.7, 0.7, 0.7], 3)).toEqual({ stoppedAt: 6, best: 3 });
  });

  it('ignores gains smaller than min_delta and undefined values', () => {
    expect(run([0.6, 0.605, 0.609, 0.7], 2, 0.01)).toEqual({ stoppedAt: 2, best: 0 });
    expect(run([null, 0.5, null, null], 2)).toEqual({ stoppedAt: 3, best: 1 });
  });

  it('minimises val_loss', () => {
    expect(run([1.0, 0.8, 0.9, 0.85], 2, 0, false)).toEqual({ stoppedAt: 3, best: 1 });
  });

  it('breaks a tie of the monitored value by a lower validation loss', () => {
    const o = { patience: 2, minDelta: 0, maximize: true };
    let d = observe(o, initialEarlyStopping(), 0, 1, 0.5);
    d = observe(o, d.state, 1, 1, 0.3);
    expect(d.improved).toBe(true);
    expect(d.state.bestEpoch).toBe(1);
    d = observe(o, d.state, 2, 1, 0.4);
    expect(d.improved).toBe(false);
  });
});

describe('samplers', () => {
  // 10 images, label 0 positive in 1 image, label 1 in 5
  const labels = new Float32Array(20);
  labels[0] = 1;
  for (let i = 0; i < 5; i++) labels[i * 2 + 1] = 1;

  it('weights an image by the inverse frequency of its rarest label value', () => {
    const w = sampleWeights(labels, 2);
    expect(w[0]).toBeCloseTo(10, 12); // the only positive of label 0
    expect(w[1]).toBeCloseTo(2, 12); // a label-1 positive (5 of 10)
    expect(w[9]).toBeCloseTo(2, 12); // negative for both: 10/9 vs 10/5
  });

  it('weighted drawing oversamples the rare positive; none is a seeded permutation', () => {
    const draws = drawWeighted(sampleWeights(labels, 2), 4000, new Mulberry32(3));
    const share = draws.filter((i) => i === 0).length / draws.length;
    expect(share).toBeGreaterThan(0.33); // 10 / (10 + 9 · 2) ≈ 0.357 instead of 0.1
    expect(share).toBeLessThan(0.39);
    const order = epochOrder('none', labels, 2, new Mulberry32(5));
    expect([...order].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epochOrder('none', labels, 2, new Mulberry32(5))).toEqual(order);
  });

  it('the RNG resumes exactly from a saved state', () => {
    const a = new Mulberry32(42);
    a.next();
    const saved = a.state;
    const expected = [a.next(), a.next()];
    const b = new Mulberry32(0);
    b.state = saved;
    expect([b.next(), b.next()]).toEqual(expected);
  });
});

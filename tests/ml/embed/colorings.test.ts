// The colourings of the scatter: label combinations with an `other` bucket, per-label groups, and the
// metadata colourings that appear only when the dataset has the column.
import { describe, expect, it } from 'vitest';
import { ageBand, buildColorings, classOf } from '../../../src/ml/embed/colorings.js';

const rows = (...r: number[][]): Float32Array => Float32Array.from(r.flat());

describe('buildColorings', () => {
  it('colours multilabel data by finding combination, most frequent first, and by each label', () => {
    const targets = rows([0, 0], [1, 0], [1, 1], [0, 0], [1, 0], [0, 0]);
    const cs = buildColorings('multilabel', ['Mass', 'Effusion'], targets, undefined);
    expect(cs.map((c) => c.key)).toEqual(['findings', 'label:Mass', 'label:Effusion']);
    expect(cs[0].classes).toEqual(['no finding', 'Mass', 'Mass + Effusion']);
    expect([0, 1, 2].map((i) => classOf(cs[0], i))).toEqual(['no finding', 'Mass', 'Mass + Effusion']);
    expect(cs[2].values).toEqual([1, 1, 0, 1, 1, 1]); // 0 = Effusion positive, 1 = negative
  });

  it('puts the combinations beyond the seventh into one grey `other` entry', () => {
    const labels = ['a', 'b', 'c', 'd'];
    // 10 distinct single/paired combinations, the first seven more frequent
    const combos = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [1, 1, 0, 0],
      [1, 0, 1, 0],
      [1, 0, 0, 1],
    ];
    const rare = [
      [0, 1, 1, 0],
      [0, 1, 0, 1],
      [0, 0, 1, 1],
    ];
    const targets = rows(...combos, ...combos, ...rare);
    const [findings] = buildColorings('multilabel', labels, targets, undefined);
    expect(findings.classes).toHaveLength(8);
    expect(findings.classes[7]).toBe('other');
    expect(findings.colors[7]).toBe('#8c8c8c');
    expect(findings.values.slice(-3)).toEqual([7, 7, 7]);
  });

  it('adds view, sex and age-band colourings only for metadata columns with values', () => {
    const targets = rows([1], [0], [1], [0]);
    const meta = { view: ['PA', 'AP', null, 'PA'], sex: [null, null, null, null], age: [35, 61, 80, null] };
    const cs = buildColorings('binary', ['Pneumonia'], targets, meta);
    expect(cs.map((c) => c.key)).toEqual(['label:Pneumonia', 'view', 'age']);
    expect(cs[1].classes).toEqual(['PA', 'AP']);
    expect(cs[1].values).toEqual([0, 1, -1, 0]);
    expect(cs[2].classes).toEqual(['<40', '60–79', '80+']);
    expect([ageBand(39.9), ageBand(40), ageBand(79), ageBand(80)]).toEqual(['<40', '40–59', '60–79', '80+']);
  });

  it('does not depend on the order of the images (legend and colours are sorted by count, then name)', () => {
    const a = buildColorings('multilabel', ['x', 'y'], rows([1, 0], [0, 1], [0, 1], [1, 0]), undefined)[0];
    const b = buildColorings('multilabel', ['x', 'y'], rows([0, 1], [1, 0], [1, 0], [0, 1]), undefined)[0];
    expect(a.classes).toEqual(b.classes);
    expect(a.colors).toEqual(b.colors);
  });

  it('colours multiclass data by class in label order', () => {
    const cs = buildColorings('multiclass', ['normal', 'viral'], rows([1, 0], [0, 1]), undefined);
    expect(cs.map((c) => c.key)).toEqual(['findings']);
    expect(cs[0].classes).toEqual(['normal', 'viral']);
  });
});

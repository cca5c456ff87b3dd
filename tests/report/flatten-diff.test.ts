// Unit: flattening params/metrics into dotted keys and diffing two sides.
import { describe, expect, it } from 'vitest';
import { flatten, formatValue, setDotted } from '../../src/engine/report/flatten.js';
import { diffFileValues } from '../../src/engine/report/diff-values.js';
import { renderTable } from '../../src/cli/render/report-table.js';
import { diffTable } from '../../src/cli/render/report-views.js';

describe('flatten', () => {
  it('nests objects with dots, keeps scalar arrays whole and indexes arrays of objects', () => {
    const flat = flatten({
      train: { lr: 0.001, sizes: [1, 2] },
      folds: [{ auc: 0.8 }, { auc: 0.9 }],
      empty: {},
      name: 'x',
    });
    expect([...flat]).toEqual([
      ['train.lr', 0.001],
      ['train.sizes', [1, 2]],
      ['folds.0.auc', 0.8],
      ['folds.1.auc', 0.9],
      ['empty', null],
      ['name', 'x'],
    ]);
  });

  it('formats values for cells', () => {
    expect(formatValue(0.1 + 0.2)).toBe('0.3');
    expect(formatValue([1, 'a'])).toBe('[1, a]');
    expect(formatValue(undefined)).toBe('-');
    expect(formatValue(1234567)).toBe('1234567');
  });

  it('sets dotted keys in nested objects', () => {
    const o: Record<string, unknown> = { train: { lr: 1 } };
    setDotted(o, 'train.lr', 2);
    setDotted(o, 'model.arch', 'resnet18');
    expect(o).toEqual({ train: { lr: 2 }, model: { arch: 'resnet18' } });
  });
});

describe('diffFileValues', () => {
  const a = new Map([['params.yaml', flatten({ train: { lr: 0.001, epochs: 10 }, model: { arch: 'a' } })]]);
  const b = new Map([['params.yaml', flatten({ train: { lr: 0.01, epochs: 10 }, model: { arch: 'b' }, extra: true })]]);

  it('lists only changed keys with a numeric change', () => {
    const rows = diffFileValues(a, b);
    expect(rows.map((r) => [r.key, r.old, r.new, r.change])).toEqual([
      ['train.lr', 0.001, 0.01, 0.009],
      ['model.arch', 'a', 'b', undefined],
      ['extra', undefined, true, undefined],
    ]);
  });

  it('lists unchanged keys too with all', () => {
    expect(diffFileValues(a, b, { all: true }).map((r) => r.key)).toContain('train.epochs');
  });

  it('renders a DVC-like table', () => {
    const text = renderTable(diffTable(diffFileValues(a, b), 'Param', ['HEAD', 'workspace']));
    expect(text).toBe(
      [
        'Path         Param       Old (HEAD)  New (workspace)  Change',
        'params.yaml  train.lr    0.001       0.01             +0.009',
        'params.yaml  model.arch  a           b                     -',
        'params.yaml  extra       -           true                  -',
      ].join('\n'),
    );
    expect(renderTable(diffTable(diffFileValues(a, b), 'Param', ['HEAD', 'workspace']), 'md').split('\n')[1]).toBe(
      '| --- | --- | --- | --- | ---: |',
    );
  });
});

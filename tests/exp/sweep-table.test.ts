// Unit: -S / --sweep / --random expansion and the exp show table (columns, sorting).
import { describe, expect, it } from 'vitest';
import { expandSweep } from '../../src/engine/exp/sweep.js';
import { buildExpTable } from '../../src/engine/exp/exp-table.js';
import { affectedStages } from '../../src/engine/exp/affected-stages.js';
import { buildGraph } from '../../src/engine/graph/build-graph.js';
import type { StageSpec } from '../../src/engine/model/spec.js';

describe('expandSweep', () => {
  it('crosses sweeps into a grid, first sweep slowest, -S applied to all, YAML scalars typed', () => {
    const r = expandSweep({
      set: ['train.epochs=5'],
      sweep: ['train.lr=0.001,0.01', 'model.arch=chestnet_s,resnet18'],
    });
    expect(r.ok && r.value).toEqual([
      { 'train.epochs': 5, 'train.lr': 0.001, 'model.arch': 'chestnet_s' },
      { 'train.epochs': 5, 'train.lr': 0.001, 'model.arch': 'resnet18' },
      { 'train.epochs': 5, 'train.lr': 0.01, 'model.arch': 'chestnet_s' },
      { 'train.epochs': 5, 'train.lr': 0.01, 'model.arch': 'resnet18' },
    ]);
  });

  it('samples ranges reproducibly with --random', () => {
    const args = {
      set: [],
      sweep: ['train.lr=loguniform(1e-4,1e-1)', 'train.batch=choice(16,32)', 'train.k=randint(1,3)'],
      random: 20,
      seed: 7,
    };
    const a = expandSweep(args),
      b = expandSweep(args);
    expect(a).toEqual(b);
    const sets = a.ok ? a.value : [];
    expect(sets).toHaveLength(20);
    for (const s of sets) {
      expect(s['train.lr']).toBeGreaterThanOrEqual(1e-4);
      expect(s['train.lr']).toBeLessThanOrEqual(1e-1);
      expect([16, 32]).toContain(s['train.batch']);
      expect([1, 2, 3]).toContain(s['train.k']);
    }
  });

  it('explains bad arguments', () => {
    expect(expandSweep({ set: ['lr'], sweep: [] })).toEqual({
      ok: false,
      error: "-S 'lr': expected key=value with a dotted params key, e.g. -S train.lr=0.01.",
    });
    expect(expandSweep({ set: [], sweep: ['train.lr=loguniform(1,0.1)'] })).toEqual({
      ok: false,
      error: '--sweep train.lr: loguniform(1,0.1): expected two numbers low < high.',
    });
    expect(expandSweep({ set: [], sweep: ['train.lr=uniform(0,1)'] })).toEqual({
      ok: false,
      error: '--sweep train.lr: a range like loguniform(...) needs --random N (how many samples to draw).',
    });
  });
});

describe('buildExpTable', () => {
  const rec = (name: string, lr: number, auc: number) => ({
    name,
    overrides: { 'train.lr': lr },
    status: 'success' as const,
    durationMs: 1000,
    params: { 'params.yaml': { 'train.lr': lr, 'train.epochs': 10 } },
    metrics: {
      'metrics/eval.json': { auc_macro: auc, 'per_label.a.auc': auc, name: 'x' },
      'metrics/train.json': { auc_macro: 0.5 },
    },
  });

  it('shows varying params and the numeric metrics that vary (not per-item ones), sorted best first', () => {
    const t = buildExpTable([rec('a', 0.1, 0.7), rec('b', 0.01, 0.9), rec('c', 0.001, 0.8)], {
      sortBy: 'eval.json:auc_macro',
    });
    if ('error' in t) throw new Error(t.error);
    expect(t.columns.map((c) => c.title)).toEqual(['train.lr', 'auc_macro']);
    expect(t.columns[1].file).toBe('metrics/eval.json');
    expect(t.rows.map((r) => r.name)).toEqual(['b', 'c', 'a']);
  });

  it('names an unknown sort metric', () => {
    const t = buildExpTable([rec('a', 0.1, 0.7)], { sortBy: 'f1' });
    expect('error' in t && t.error).toMatch(/^cannot sort by 'f1': no experiment has that metric/);
  });
});

describe('affectedStages', () => {
  const stage = (name: string, deps: string[], outs: string[], params: string[]): StageSpec => ({
    name,
    command: { kind: 'cmd', cmd: 'true' },
    wdir: '.' as never,
    alwaysChanged: false,
    frozen: false,
    env: [],
    deps: deps.map((p) => ({ path: p as never, declared: p })),
    outs: outs.map((p) => ({ path: p as never, declared: p, kind: 'out' as const, cache: true, persist: false })),
    params: params.map((k) => ({ file: 'params.yaml' as never, key: k })),
  });
  const graph = buildGraph([
    stage('prep', ['raw'], ['prep.out'], ['prep']),
    stage('train', ['prep.out'], ['model'], ['train', 'model.arch']),
    stage('eval', ['model'], ['eval.json'], ['eval']),
  ]);

  it('is the stages declaring a swept key (or its section) and everything downstream', () => {
    expect([...affectedStages(graph, 'params.yaml', ['train.lr'])]).toEqual(['train', 'eval']);
    expect([...affectedStages(graph, 'params.yaml', ['model'])]).toEqual(['train', 'eval']);
    expect([...affectedStages(graph, 'params.yaml', ['prep.size'])].sort()).toEqual(['eval', 'prep', 'train']);
    expect([...affectedStages(graph, 'other.yaml', ['train.lr'])]).toEqual([]);
  });
});

// Pure core: staleness reasons, decisions, target selection and argument parsing, with in-memory fixtures.
import { describe, expect, it } from 'vitest';
import { diffStage, type CurrentStage } from '../../src/engine/lock/diff-stage.js';
import type { LockEntry } from '../../src/engine/lock/lockfile.js';
import { decide } from '../../src/engine/plan.js';
import { buildGraph } from '../../src/engine/graph/build-graph.js';
import { selectStages } from '../../src/engine/graph/select-targets.js';
import { topoOrder } from '../../src/engine/graph/topo-order.js';
import { parseArgs } from '../../src/cli/args.js';
import { checkOuts } from '../../src/engine/graph/check-outs.js';
import type { StageSpec } from '../../src/engine/model/spec.js';
import type { ContentHash, ProjectPath, StageKey } from '../../src/engine/model/brands.js';

const h = (s: string) => s as ContentHash;
const entry: LockEntry = {
  cmd: 'run',
  definition: 'def1' as StageKey,
  deps: [{ path: 'in', hash: h('1'), size: 1 }],
  params: { 'params.yaml': { train: { lr: 0.1, epochs: 3 } } },
  outs: [{ path: 'out', hash: h('2'), size: 1 }],
};
const current: CurrentStage = {
  definition: 'def1' as StageKey,
  cmd: 'run',
  alwaysChanged: false,
  deps: [{ path: 'in', hash: h('1') }],
  params: { 'params.yaml': { train: { lr: 0.1, epochs: 3 } } },
  outs: [{ path: 'out', hash: h('2') }],
};

describe('diffStage', () => {
  it('is empty when nothing changed', () => {
    expect(diffStage(entry, current).reasons).toEqual([]);
  });
  it('reports leaf param changes, dep and out changes', () => {
    const r = diffStage(entry, {
      ...current,
      deps: [{ path: 'in', hash: h('9') }],
      params: { 'params.yaml': { train: { lr: 0.01, epochs: 3 } } },
      outs: [{ path: 'out', hash: undefined }],
    });
    expect(r.reasons).toEqual([
      { kind: 'dep-changed', path: 'in' },
      { kind: 'param-changed', key: 'train.lr', old: 0.1, new: 0.01 },
      { kind: 'out-missing', path: 'out' },
    ]);
  });
  it('names added deps when the definition changed', () => {
    const r = diffStage(entry, {
      ...current,
      definition: 'def2' as StageKey,
      deps: [...current.deps, { path: 'extra', hash: h('3') }],
    });
    expect(r.reasons).toEqual([{ kind: 'dep-added', path: 'extra' }]);
  });
  it('allowMissing turns absent outs into notPresent', () => {
    const r = diffStage(entry, { ...current, outs: [{ path: 'out', hash: undefined }] }, { allowMissing: true });
    expect(r).toEqual({ reasons: [], notPresent: ['out'] });
  });
});

describe('decide', () => {
  const base = { frozen: false, forced: false, lockedOutsCached: true, runCacheHit: true };
  it('follows frozen → up to date → cache → run cache → run', () => {
    expect(decide({ ...base, frozen: true, reasons: [{ kind: 'never-run' }] })).toEqual({ action: 'skip-frozen' });
    expect(decide({ ...base, reasons: [] })).toEqual({ action: 'up-to-date' });
    expect(decide({ ...base, reasons: [{ kind: 'out-missing', path: 'o' }] })).toEqual({
      action: 'restore-cache',
      paths: ['o'],
    });
    expect(decide({ ...base, reasons: [{ kind: 'dep-changed', path: 'd' }] })).toEqual({ action: 'restore-run-cache' });
    expect(decide({ ...base, forced: true, reasons: [] })).toEqual({ action: 'run', reasons: [{ kind: 'forced' }] });
    expect(decide({ ...base, runCacheHit: false, reasons: [{ kind: 'dep-changed', path: 'd' }] }).action).toBe('run');
  });
});

function stage(name: string, deps: string[], outs: string[]): StageSpec {
  return {
    name,
    command: { kind: 'cmd', cmd: name },
    wdir: '.' as ProjectPath,
    params: [],
    env: [],
    alwaysChanged: false,
    frozen: false,
    deps: deps.map((d) => ({ path: d as ProjectPath, declared: d })),
    outs: outs.map((o) => ({ path: o as ProjectPath, declared: o, kind: 'out', cache: true, persist: false })),
  };
}

describe('graph selection', () => {
  const g = buildGraph([
    stage('a', [], ['data']),
    stage('b', ['data/x.csv'], ['m']),
    stage('c', ['m'], ['r']),
    stage('d', [], ['z']),
  ]);
  it('links a dep inside an out directory to its producer', () => {
    expect([...(g.upstream.get('b') ?? [])]).toEqual(['a']);
  });
  it('selects upstream by default, only targets with -s, downstream with --downstream', () => {
    expect(topoOrder(g, selectStages(g, ['c']))).toEqual(['a', 'b', 'c']);
    expect([...selectStages(g, ['c'], { singleItem: true })]).toEqual(['c']);
    expect(topoOrder(g, selectStages(g, ['b'], { downstream: true }))).toEqual(['a', 'b', 'c']);
    expect(topoOrder(g, selectStages(g, []))).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('parseArgs', () => {
  const spec = [
    { name: 'force', short: 'f', type: 'boolean' as const, description: '' },
    { name: 'jobs', short: 'j', type: 'number' as const, description: '' },
    { name: 'no-run-cache', type: 'boolean' as const, description: '' },
  ];
  it('parses flags, values and positionals', () => {
    expect(parseArgs(['train', '-f', '-j4', '--no-run-cache', 'eval'], spec, 'repro')).toEqual({
      ok: true,
      value: { options: { force: true, jobs: 4, 'no-run-cache': true }, positionals: ['train', 'eval'] },
    });
    expect(parseArgs(['--jobs=2'], spec, 'repro')).toMatchObject({ ok: true, value: { options: { jobs: 2 } } });
  });
  it('rejects unknown options and bad numbers', () => {
    expect(parseArgs(['-x'], spec, 'repro')).toEqual({
      ok: false,
      error: { message: 'Unknown option -x for "xpipe repro". Run "xpipe repro --help" to see its options.' },
    });
    expect(parseArgs(['-j', 'many'], spec, 'repro')).toEqual({
      ok: false,
      error: { message: 'Option --jobs of "xpipe repro" needs a non-negative integer, got "many".' },
    });
  });
});

describe('checkOuts', () => {
  it('finds an out inside another even when a sibling sorts between them ("a-c" < "a/b")', () => {
    const d = checkOuts([stage('x', [], ['a']), stage('y', [], ['a-c']), stage('z', [], ['a/b'])]);
    expect(d.map((x) => x.code)).toEqual(['overlapping-outs']);
    expect(d[0]?.message).toContain('Output "a/b" of stage "z" lies inside output "a" of stage "x"');
  });
});

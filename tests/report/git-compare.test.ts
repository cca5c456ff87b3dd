// Integration: params/metrics values at two git commits of a real temp repo, and the lock fallback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/engine/report/compare.js';
import type { LockFile } from '../../src/engine/lock/lockfile.js';

let root: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' }).toString().trim();

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'xpipe-compare-'));
  git('init', '-q');
  git('config', 'user.email', 't@example.com');
  git('config', 'user.name', 'T');
  writeFileSync(path.join(root, 'params.yaml'), 'train:\n  lr: 0.001\n  epochs: 10\nmodel:\n  arch: small\n');
  writeFileSync(path.join(root, 'eval.json'), JSON.stringify({ auc: 0.7, per_label: { a: 0.6 } }));
  git('add', '.');
  git('commit', '-qm', 'one');
  git('tag', 'v1');
  writeFileSync(path.join(root, 'params.yaml'), 'train:\n  lr: 0.01\n  epochs: 10\nmodel:\n  arch: small\n');
  writeFileSync(path.join(root, 'eval.json'), JSON.stringify({ auc: 0.75, per_label: { a: 0.65 } }));
  git('commit', '-qam', 'two');
  writeFileSync(path.join(root, 'params.yaml'), 'train:\n  lr: 0.05\n  epochs: 10\nmodel:\n  arch: big\n');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const params = [{ path: 'params.yaml', keys: ['train', 'model.arch'] }];

describe('compare', () => {
  it('defaults to HEAD vs workspace', async () => {
    const r = await compare({ root, files: params });
    expect(r.ok && r.value.rows.map((x) => [x.key, x.old, x.new])).toEqual([
      ['train.lr', 0.01, 0.05],
      ['model.arch', 'small', 'big'],
    ]);
    expect(r.ok && r.value.labels[1]).toBe('workspace');
  });

  it('compares two commits, metrics included, with the numeric change', async () => {
    const r = await compare({ root, files: [{ path: 'eval.json', keys: [] }], a: 'v1', b: 'HEAD' });
    if (!r.ok) throw new Error(r.error.join('\n'));
    expect(r.value.rows.map((x) => [x.key, x.old, x.new, x.change])).toEqual([
      ['auc', 0.7, 0.75, 0.05],
      ['per_label.a', 0.6, 0.65, 0.05],
    ]);
    expect(r.value.labels[0]).toMatch(/^v1 \([0-9a-f]{7}\)$/);
  });

  it('names an unknown revision in one paragraph', async () => {
    const r = await compare({ root, files: params, a: 'nope' });
    expect(r.ok ? '' : r.error[0]).toMatch(/unknown git revision 'nope'/);
  });

  it('names the file and revision of an unparsable file', async () => {
    writeFileSync(path.join(root, 'eval.json'), '{ broken');
    const r = await compare({ root, files: [{ path: 'eval.json', keys: [] }] });
    expect(r.ok ? '' : r.error[0]).toMatch(/cannot parse eval\.json in the workspace/);
  });

  it('falls back to pipeline.lock values outside git', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xpipe-nogit-'));
    writeFileSync(path.join(dir, 'params.yaml'), 'train:\n  lr: 0.5\n');
    const lock: LockFile = {
      stages: {
        t: { definition: 'k' as never, deps: [], outs: [], params: { 'params.yaml': { train: { lr: 0.1 } } } },
      },
    };
    const r = await compare({ root: dir, files: [{ path: 'params.yaml', keys: ['train'] }], lockFallback: lock });
    rmSync(dir, { recursive: true, force: true });
    if (!r.ok) throw new Error(r.error.join('\n'));
    expect(r.value.note).toMatch(/not a git repository/);
    expect(r.value.rows.map((x) => [x.key, x.old, x.new])).toEqual([['train.lr', 0.1, 0.5]]);
  });
});

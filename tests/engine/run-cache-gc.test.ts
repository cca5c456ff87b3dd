// Run cache on the KeyValueStore seam (the pre-seam layout stays readable, transfer between two stores)
// and gc through the async store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../src/engine/cache/local-object-store.js';
import { LocalKeyValueStore } from '../../src/engine/cache/local-kv-store.js';
import { RunCache, transferRunCache, type RunEntry } from '../../src/engine/cache/run-cache.js';
import { collectGarbage } from '../../src/engine/cache/gc.js';
import type { StageKey } from '../../src/engine/model/brands.js';
import type { LockFile } from '../../src/engine/lock/lockfile.js';
import { idOf } from './object-store.contract.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-rc-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const entry = (stage: string, key: string, hash: string, createdAt = '2026-01-01T00:00:00.000Z'): RunEntry => ({
  stage,
  key: key as StageKey,
  createdAt,
  outs: [{ path: `${stage}.txt`, hash: hash as RunEntry['outs'][0]['hash'], size: 1 }],
});

describe('RunCache', () => {
  it('reads entries in the layout earlier versions wrote (cache/runs/<stage>/<key>.json) and skips corrupt ones', async () => {
    const root = tmp();
    const e = entry('eval@a b', 'k1', idOf('x'));
    fs.mkdirSync(path.join(root, 'cache', 'runs', encodeURIComponent('eval@a b')), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'cache', 'runs', encodeURIComponent('eval@a b'), 'k1.json'),
      JSON.stringify(e, null, 1),
    );
    fs.writeFileSync(path.join(root, 'cache', 'runs', encodeURIComponent('eval@a b'), 'k2.json'), '{ truncated');
    const rc = RunCache.forProject(root);
    expect(await rc.get('eval@a b', 'k1' as StageKey)).toEqual(e);
    expect(await rc.get('eval@a b', 'k2' as StageKey)).toBeUndefined();
    expect(await rc.all()).toEqual(new Map([['eval@a b', [e]]]));
  });

  it('all() groups by stage, newest first; remove deletes one entry', async () => {
    const rc = RunCache.forProject(tmp());
    await rc.put(entry('t', 'old', idOf('1'), '2026-01-01T00:00:00.000Z'));
    await rc.put(entry('t', 'new', idOf('2'), '2026-02-01T00:00:00.000Z'));
    expect((await rc.all()).get('t')?.map((e) => e.key)).toEqual(['new', 'old']);
    await rc.remove('t', 'old' as StageKey);
    expect((await rc.all()).get('t')?.map((e) => e.key)).toEqual(['new']);
  });

  it('transferRunCache copies an entry only when every object it names is already in the destination', async () => {
    const side = () => {
      const d = tmp();
      return {
        runs: new RunCache(new LocalKeyValueStore(path.join(d, 'runs'))),
        objects: new LocalObjectStore(path.join(d, 'objects')),
      };
    };
    const src = side();
    const dst = side();
    await src.objects.put(idOf('a'), Buffer.from('a'));
    await src.objects.put(idOf('b'), Buffer.from('b'));
    await src.runs.put(entry('s', 'ka', idOf('a')));
    await src.runs.put(entry('s', 'kb', idOf('b')));
    await dst.objects.put(idOf('a'), Buffer.from('a'));
    const r = await transferRunCache(src, dst, (id) => src.objects.closure(id));
    expect(r).toEqual({ copied: [{ stage: 's', key: 'ka' }], skippedIncomplete: [{ stage: 's', key: 'kb' }] });
    expect(await dst.runs.get('s', 'kb' as StageKey)).toBeUndefined();
    expect((await transferRunCache(src, dst, (id) => src.objects.closure(id))).copied).toEqual([]);
  });
});

describe('gc', () => {
  it('keeps lock and kept-run objects (with directory manifests and their files), removes the rest, ignores .corrupt', async () => {
    const root = tmp();
    const store = LocalObjectStore.forProject(root);
    const runs = RunCache.forProject(root);
    for (const s of ['f1', 'f2', 'old', 'orphan']) await store.put(idOf(s), Buffer.from(s));
    const manifest = JSON.stringify([
      ['x', idOf('f1'), 2],
      ['y', idOf('f2'), 2],
    ]);
    const dirId = `${idOf(manifest)}.dir`;
    await store.put(dirId as ReturnType<typeof idOf>, Buffer.from(manifest));
    await runs.put(entry('s', 'new', dirId, '2026-02-01T00:00:00.000Z'));
    await runs.put(entry('s', 'old', idOf('old'), '2026-01-01T00:00:00.000Z'));
    fs.mkdirSync(path.join(store.dir, '.corrupt'));
    fs.writeFileSync(path.join(store.dir, '.corrupt', idOf('zzz')), 'kept for inspection');
    const lock: LockFile = { schema: 'xpipe-lock/1', stages: {} } as unknown as LockFile;

    const dry = await collectGarbage([lock], store, runs, { keepRuns: 1, dry: true });
    expect(dry).toEqual({
      removedObjects: 2,
      freedBytes: 9,
      removedRuns: [{ stage: 's', key: 'old' }],
      keptObjects: 3,
    });
    expect(await store.has(idOf('old'))).toBe(true);

    const real = await collectGarbage([lock], store, runs, { keepRuns: 1 });
    expect(real.removedObjects).toBe(2);
    expect(await store.hasComplete(dirId as ReturnType<typeof idOf>)).toBe(true);
    expect(await store.has(idOf('orphan'))).toBe(false);
    expect(fs.readdirSync(path.join(store.dir, '.corrupt'))).toHaveLength(1);
    expect([...((await runs.all()).get('s') ?? [])].map((e) => e.key)).toEqual(['new']);
  });
});

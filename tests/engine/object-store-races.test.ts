// The local object store under concurrent writers and crashes, beyond the shared contract: two stores on one
// cache/ (two commands, or exp work directories sharing it) committing the same outs at once, a failing
// writer racing a good one, and the temp file a killed writer leaves behind.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../src/engine/cache/local-object-store.js';
import { RunCache } from '../../src/engine/cache/run-cache.js';
import { collectGarbage } from '../../src/engine/cache/gc.js';
import { PathHasher } from '../../src/engine/hash/hash-path.js';
import { StateIndex } from '../../src/engine/hash/state-index.js';
import type { HashedPath } from '../../src/engine/hash/hash-path.js';
import type { LockFile } from '../../src/engine/lock/lockfile.js';
import { idOf } from './object-store.contract.js';

function tempDir(): { dir: string } & Disposable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-races-'));
  return { dir, [Symbol.dispose]: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

async function listAll(store: LocalObjectStore): Promise<string[]> {
  const out: string[] = [];
  for await (const id of store.list()) out.push(id);
  return out.sort();
}

/** Every object's bytes hash to its id and it is read-only. */
function intact(store: LocalObjectStore, ids: readonly string[]): { id: string; ok: boolean; mode: number }[] {
  return ids.map((id) => {
    const file = store.objectPath(id as HashedPath['hash']);
    const want = id.endsWith('.dir') ? id.slice(0, -4) : id;
    return { id, ok: idOf(fs.readFileSync(file)) === want, mode: fs.statSync(file).mode & 0o777 };
  });
}

describe('LocalObjectStore under races and crashes', () => {
  it('two stores on one cache committing the same directory and files at once leave one intact copy of each', async () => {
    using t = tempDir();
    const ws = path.join(t.dir, 'ws');
    fs.mkdirSync(path.join(ws, 'data', 'sub'), { recursive: true });
    for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(ws, 'data', `f${i}.bin`), crypto.randomBytes(50_000));
    fs.writeFileSync(path.join(ws, 'data', 'sub', 'dup.bin'), fs.readFileSync(path.join(ws, 'data', 'f0.bin')));
    const hasher = new PathHasher(ws, new StateIndex(path.join(t.dir, 'state.json')));
    const hashed = hasher.hash('data', { needManifest: true }) as HashedPath;
    const cache = path.join(t.dir, 'cache');
    const a = new LocalObjectStore(cache);
    const b = new LocalObjectStore(cache);
    const dir = path.join(ws, 'data');
    await Promise.all([a.putPath(dir, hashed), b.putPath(dir, hashed), a.putPath(dir, hashed), b.putPath(dir, hashed)]);
    const expected = [...new Set([hashed.hash, ...(hashed.manifest ?? []).map((e) => e.h)])].sort();
    expect(expected).toHaveLength(21 + 1 - 1); // 21 files, one a duplicate, plus the manifest
    expect(await listAll(a)).toEqual(expected);
    expect(intact(a, expected).filter((o) => !o.ok || o.mode !== 0o444)).toEqual([]);
    expect(await b.hasComplete(hashed.hash)).toBe(true);
    expect(fs.readdirSync(path.join(cache, 'tmp'))).toEqual([]);
  });

  it('a writer that fails mid-stream does not disturb another writer of the same object', async () => {
    using t = tempDir();
    const store = new LocalObjectStore(path.join(t.dir, 'cache'));
    const first = Buffer.alloc(200_000, 7);
    const rest = Buffer.alloc(200_000, 9);
    const id = idOf(Buffer.concat([first, rest]));
    const good = new Readable({ read() {} });
    const bad = new Readable({ read() {} });
    const putGood = store.put(id, good);
    const putBad = store.put(id, bad);
    good.push(first);
    bad.push(first);
    good.push(rest);
    good.push(null);
    await putGood;
    // The other writer fails after the object is in: its cleanup must not touch the object.
    bad.destroy(new Error('connection lost'));
    await expect(putBad).rejects.toThrow('connection lost');
    expect(intact(store, [id])).toEqual([{ id, ok: true, mode: 0o444 }]);
    expect(fs.readdirSync(path.join(store.dir, 'tmp'))).toEqual([]);
  });

  it('the temp file of a killed writer is never an object; the object can still be stored; gc clears it', async () => {
    using t = tempDir();
    const store = new LocalObjectStore(path.join(t.dir, 'cache'));
    const bytes = Buffer.from('the whole object\n');
    const id = idOf(bytes);
    // What a SIGKILL during put leaves: half the bytes under a temp name in cache/tmp/.
    fs.mkdirSync(path.join(store.dir, 'tmp'), { recursive: true });
    const leftover = path.join(store.dir, 'tmp', `${id}.99999.deadbeef`);
    fs.writeFileSync(leftover, bytes.subarray(0, 5));
    expect(await store.has(id)).toBe(false);
    expect(await store.hasComplete(id)).toBe(false);
    expect(await listAll(store)).toEqual([]);
    await store.put(id, bytes);
    expect(intact(store, [id])).toEqual([{ id, ok: true, mode: 0o444 }]);
    const lock = { stages: { s: { outs: [{ path: 'x', hash: id, size: bytes.length }] } } } as unknown as LockFile;
    const r = await collectGarbage([lock], store, RunCache.forProject(t.dir));
    expect(r).toMatchObject({ removedObjects: 0, keptObjects: 1 });
    expect(fs.existsSync(leftover)).toBe(false);
  });
});

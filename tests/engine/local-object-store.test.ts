// The local backend runs the storage contract, plus what only the local store does: read-only objects,
// the vouch index, quarantine and verified restores into the workspace.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalObjectStore } from '../../src/engine/cache/local-object-store.js';
import { LocalKeyValueStore } from '../../src/engine/cache/local-kv-store.js';
import { checkObject } from '../../src/engine/cache/verify-object.js';
import { restoreVerified } from '../../src/engine/cache/checkout.js';
import { verifyStore } from '../../src/engine/cache/verify-cache.js';
import { idOf, keyValueStoreContract, objectStoreContract } from './object-store.contract.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-store-'));
}

objectStoreContract('local', async () => {
  const dir = tmp();
  return {
    store: new LocalObjectStore(path.join(dir, 'cache')),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

keyValueStoreContract('local', async () => {
  const dir = tmp();
  return {
    store: new LocalKeyValueStore(path.join(dir, 'runs')),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

/** A store with one object; `overwrite` rewrites its bytes in place (a disk fault or a user's edit). */
async function withObject(content: string) {
  const dir = tmp();
  const store = new LocalObjectStore(path.join(dir, 'cache'));
  const id = idOf(content);
  await store.put(id, Buffer.from(content));
  const file = store.objectPath(id);
  const overwrite = (bytes: string) => {
    fs.chmodSync(file, 0o644);
    fs.writeFileSync(file, bytes);
  };
  return { dir, store, id, file, overwrite, [Symbol.dispose]: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

describe('LocalObjectStore', () => {
  it('stores objects read-only under cache/ab/cdef… and leaves no temp file', async () => {
    using o = await withObject('content');
    expect(path.relative(o.store.dir, o.file)).toBe(`${o.id.slice(0, 2)}/${o.id.slice(2)}`);
    expect(fs.statSync(o.file).mode & 0o777).toBe(0o444);
    expect(fs.readdirSync(path.join(o.store.dir, 'tmp'))).toEqual([]);
  });

  it('an object vouched for at write time is trusted without reading it; any stamp change forces a hash', async () => {
    using o = await withObject('hello');
    let read = 0;
    const onBytes = (n: number) => (read += n);
    expect(await checkObject(o.store, o.id, { trustIndex: true, onBytes })).toEqual({ status: 'ok', size: 5 });
    expect(read).toBe(0);
    // Same bytes, new mtime: no longer vouched, so hashed (and vouched again).
    o.overwrite('hello');
    expect(await checkObject(o.store, o.id, { trustIndex: true, onBytes })).toEqual({ status: 'ok', size: 5 });
    expect(read).toBe(5);
    o.overwrite('jello');
    const r = await checkObject(o.store, o.id, { trustIndex: true });
    expect(r).toMatchObject({
      status: 'corrupt',
      actual: idOf('jello'),
      movedTo: path.join(o.store.dir, '.corrupt', o.id),
    });
    expect(fs.existsSync(o.file)).toBe(false);
    expect(fs.readFileSync(path.join(o.store.dir, '.corrupt', o.id), 'utf8')).toBe('jello');
  });

  it('the vouch index survives a save and a new store instance (a new process)', async () => {
    using o = await withObject('persisted');
    o.store.save();
    const again = new LocalObjectStore(o.store.dir);
    let read = 0;
    expect(await checkObject(again, o.id, { trustIndex: true, onBytes: (n) => (read += n) })).toMatchObject({
      status: 'ok',
    });
    expect(read).toBe(0);
  });

  it('restoreVerified never touches the workspace when an object of a directory is corrupt', async () => {
    using o = await withObject('file a\n');
    const bId = idOf('file b\n');
    await o.store.put(bId, Buffer.from('file b\n'));
    const manifest = JSON.stringify([
      ['a.txt', o.id, 7],
      ['sub/b.txt', bId, 7],
    ]);
    const dirId = `${idOf(manifest)}.dir` as typeof o.id;
    await o.store.put(dirId, Buffer.from(manifest));
    const dest = path.join(o.dir, 'ws', 'data');
    expect(await restoreVerified(o.store, dirId, dest)).toEqual([]);
    expect(fs.readFileSync(path.join(dest, 'sub', 'b.txt'), 'utf8')).toBe('file b\n');
    fs.writeFileSync(path.join(dest, 'a.txt'), 'edited in the workspace\n');
    o.overwrite('rotten\n');
    const bad = await restoreVerified(o.store, dirId, dest);
    expect(bad).toMatchObject([{ id: o.id, problem: 'corrupt', movedTo: path.join(o.store.dir, '.corrupt', o.id) }]);
    expect(fs.readFileSync(path.join(dest, 'a.txt'), 'utf8')).toBe('edited in the workspace\n');
    expect(fs.readdirSync(path.join(o.dir, 'ws'))).toEqual(['data']);
  });

  it('verifyStore hashes every object ignoring the index, quarantines the corrupt and reports unreadable ones', async () => {
    using o = await withObject('one');
    const two = idOf('two');
    await o.store.put(two, Buffer.from('two'));
    o.overwrite('ONE');
    // Re-vouch the corrupt bytes' stamp: verify must not trust the index.
    const st = fs.statSync(o.file);
    o.store.vouched.set(o.id, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs }, o.id);
    const r = await verifyStore(o.store, { jobs: 2 });
    expect(r).toMatchObject({ objects: 2, bytes: 6, corrupt: [{ id: o.id, actual: idOf('ONE') }], unreadable: [] });
    expect(await o.store.has(o.id)).toBe(false);
    expect((await verifyStore(o.store)).corrupt).toEqual([]);
  });
});

// The storage contract every ObjectStore / KeyValueStore backend must pass (like wireit's cache-common.ts).
// A backend's test file calls objectStoreContract('name', factory) with a factory that opens a fresh, empty
// store and returns it with a cleanup; remotes (path, SSH/SFTP, S3) reuse it against their real servers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ObjectMismatchError,
  type KeyValueStore,
  type ObjectId,
  type ObjectStore,
} from '../../src/engine/cache/object-store.js';

export interface Fixture<S> {
  store: S;
  cleanup(): Promise<void> | void;
}

/** The id of `bytes` (sha1, the project's hash). */
export function idOf(bytes: Buffer | string): ObjectId {
  return crypto.createHash('sha1').update(bytes).digest('hex') as ObjectId;
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function listAll<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A deterministic multi-MB stream in 64 KiB chunks, and its id. */
function bigStream(mb: number): { stream: () => Readable; id: ObjectId; size: number } {
  const chunk = crypto.createHash('sha256').update('x').digest();
  const block = Buffer.alloc(64 * 1024);
  for (let i = 0; i < block.length; i++) block[i] = chunk[i % chunk.length] ^ (i & 0xff);
  const n = mb * 16;
  const h = crypto.createHash('sha1');
  for (let i = 0; i < n; i++) h.update(block);
  return {
    stream: () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < n; i++) yield block;
        })(),
      ),
    id: h.digest('hex') as ObjectId,
    size: n * block.length,
  };
}

export function objectStoreContract(name: string, open: () => Promise<Fixture<ObjectStore>>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let fx: Fixture<ObjectStore>;
    let store: ObjectStore;
    let scratch: string;
    beforeEach(async () => {
      fx = await open();
      store = fx.store;
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-contract-'));
    });
    afterEach(async () => {
      await fx.cleanup();
      fs.rmSync(scratch, { recursive: true, force: true });
    });

    it('an absent id: has false, stat/get undefined, getFile false, delete a no-op, hasMany empty', async () => {
      const id = idOf('absent');
      expect(await store.has(id)).toBe(false);
      expect(await store.stat(id)).toBeUndefined();
      expect(await store.get(id)).toBeUndefined();
      expect(await store.getFile(id, path.join(scratch, 'out'))).toBe(false);
      expect(fs.existsSync(path.join(scratch, 'out'))).toBe(false);
      await store.delete(id);
      expect(await store.hasMany([id])).toEqual(new Set());
      expect(await listAll(store.list())).toEqual([]);
    });

    it('put(buffer) round-trips through has, stat, get and getFile', async () => {
      const bytes = Buffer.from('hello object\n');
      const id = idOf(bytes);
      await store.put(id, bytes);
      expect(await store.has(id)).toBe(true);
      expect(await store.stat(id)).toEqual({ size: bytes.length });
      expect(await readAll((await store.get(id)) as Readable)).toEqual(bytes);
      const dest = path.join(scratch, 'copy');
      fs.writeFileSync(dest, 'old content that is longer than the object');
      expect(await store.getFile(id, dest)).toBe(true);
      expect(fs.readFileSync(dest)).toEqual(bytes);
      expect(fs.readdirSync(scratch)).toEqual(['copy']);
    });

    it('a multi-MB object streams in and out without changing a byte', async () => {
      const big = bigStream(8);
      await store.put(big.id, big.stream(), { verify: true });
      expect(await store.stat(big.id)).toEqual({ size: big.size });
      const h = crypto.createHash('sha1');
      let n = 0;
      for await (const c of (await store.get(big.id)) as Readable) {
        h.update(c as Buffer);
        n += (c as Buffer).length;
      }
      expect({ n, id: h.digest('hex') }).toEqual({ n: big.size, id: big.id });
    });

    it('putFile stores a file; an empty object works too', async () => {
      const src = path.join(scratch, 'src.bin');
      fs.writeFileSync(src, crypto.randomBytes(300_000));
      const id = idOf(fs.readFileSync(src));
      await store.putFile(id, src);
      const dest = path.join(scratch, 'dest.bin');
      expect(await store.getFile(id, dest)).toBe(true);
      expect(fs.readFileSync(dest)).toEqual(fs.readFileSync(src));
      const empty = idOf('');
      await store.put(empty, Buffer.alloc(0));
      expect(await store.stat(empty)).toEqual({ size: 0 });
    });

    it('put is idempotent: a second put (even of other bytes) keeps the object and lists it once', async () => {
      const bytes = Buffer.from('same');
      const id = idOf(bytes);
      await store.put(id, bytes);
      await store.put(id, Buffer.from('a later, different put of the same id is a no-op'));
      expect(await readAll((await store.get(id)) as Readable)).toEqual(bytes);
      expect(await listAll(store.list())).toEqual([id]);
    });

    it('list yields exactly the stored ids (file and .dir ids), hasMany the present subset', async () => {
      const ids: ObjectId[] = [];
      for (let i = 0; i < 20; i++) {
        const b = Buffer.from(`object ${i}`);
        ids.push(idOf(b));
        await store.put(idOf(b), b);
      }
      const manifest = Buffer.from('[["a.txt","0000000000000000000000000000000000000000",1]]');
      const dirId = `${idOf(manifest)}.dir` as ObjectId;
      await store.put(dirId, manifest, { verify: true });
      expect((await listAll(store.list())).sort()).toEqual([...ids, dirId].sort());
      const absent = idOf('not stored');
      expect(await store.hasMany([ids[0], absent, dirId])).toEqual(new Set([ids[0], dirId]));
    });

    it('delete removes one object and nothing else', async () => {
      const a = Buffer.from('a');
      const b = Buffer.from('b');
      await store.put(idOf(a), a);
      await store.put(idOf(b), b);
      await store.delete(idOf(a));
      expect(await store.has(idOf(a))).toBe(false);
      expect(await listAll(store.list())).toEqual([idOf(b)]);
    });

    it('concurrent puts of the same id all succeed and leave one intact object', async () => {
      const big = bigStream(2);
      await Promise.all(Array.from({ length: 8 }, () => store.put(big.id, big.stream())));
      expect(await listAll(store.list())).toEqual([big.id]);
      const h = crypto.createHash('sha1');
      for await (const c of (await store.get(big.id)) as Readable) h.update(c as Buffer);
      expect(h.digest('hex')).toBe(big.id);
    });

    it('never partial: an object is invisible until all its bytes are in, and a failed put leaves nothing', async () => {
      const first = Buffer.alloc(256 * 1024, 1);
      const rest = Buffer.alloc(256 * 1024, 2);
      const id = idOf(Buffer.concat([first, rest]));
      const src = new Readable({ read() {} });
      const putting = store.put(id, src);
      src.push(first);
      await new Promise((r) => setTimeout(r, 50));
      expect(await store.has(id)).toBe(false);
      expect(await listAll(store.list())).toEqual([]);
      src.push(rest);
      src.push(null);
      await putting;
      expect(await store.has(id)).toBe(true);

      const broken = new Readable({ read() {} });
      const otherId = idOf('never completes');
      const failing = store.put(otherId, broken);
      broken.push(Buffer.from('never'));
      broken.destroy(new Error('connection lost'));
      await expect(failing).rejects.toThrow('connection lost');
      expect(await store.has(otherId)).toBe(false);
      expect(await listAll(store.list())).toEqual([id]);
    });

    it('put with verify rejects bytes that do not match the id and stores nothing', async () => {
      const id = idOf('the real bytes');
      await expect(store.put(id, Buffer.from('tampered bytes'), { verify: true })).rejects.toBeInstanceOf(
        ObjectMismatchError,
      );
      expect(await store.has(id)).toBe(false);
      const src = path.join(scratch, 'tampered');
      fs.writeFileSync(src, 'tampered file');
      await expect(store.putFile(id, src, { verify: true })).rejects.toBeInstanceOf(ObjectMismatchError);
      expect(await listAll(store.list())).toEqual([]);
    });
  });
}

export function keyValueStoreContract(name: string, open: () => Promise<Fixture<KeyValueStore>>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let fx: Fixture<KeyValueStore>;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => fx.cleanup());

    it('read of an absent key is undefined; write/read/replace/list/delete round-trip', async () => {
      const kv = fx.store;
      expect(await kv.read('train/k1.json')).toBeUndefined();
      await kv.write('train/k1.json', '{"a":1}');
      await kv.write('train/k1.json', '{"a":2}');
      await kv.write('train/k2.json', Buffer.from('{}'));
      await kv.write('eval%40x/k3.json', '{}');
      expect((await kv.read('train/k1.json'))?.toString()).toBe('{"a":2}');
      expect((await listAll(kv.list())).sort()).toEqual(['eval%40x/k3.json', 'train/k1.json', 'train/k2.json']);
      expect((await listAll(kv.list('train/'))).sort()).toEqual(['train/k1.json', 'train/k2.json']);
      await kv.delete('train/k1.json');
      await kv.delete('train/absent.json');
      expect((await listAll(kv.list())).sort()).toEqual(['eval%40x/k3.json', 'train/k2.json']);
    });

    it('keys that would escape the store are refused', async () => {
      await expect(fx.store.write('../outside.json', '{}')).rejects.toThrow();
    });
  });
}

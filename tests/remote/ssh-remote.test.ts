// The SSH/SFTP remote against the real test sshd: the storage contract (objects and run-cache records),
// the layout on the host, the channel pool, ~/.ssh/config, and the connection errors (wrong key, unknown
// and changed host key, nothing listening, missing directory).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyValueStoreContract, objectStoreContract, idOf } from '../engine/object-store.contract.js';
import { openRemote, type RemoteStores } from '../../src/engine/remote/registry.js';
import { RemoteFailureError } from '../../src/engine/remote/errors.js';
import { freePorts, run } from '../servers/common.js';
import { serverTestsSkipped, sshd, type SshdInfo } from '../servers/index.js';
import { fakeHome, freshRemote, sshConfig } from './ssh-fixture.js';
import type { ObjectId } from '../../src/engine/cache/object-store.js';

async function openFresh(
  settings: Record<string, unknown> = {},
): Promise<{ r: RemoteStores; dir: string; cleanup(): Promise<void> }> {
  const s = await sshd();
  fakeHome(s);
  const { dir, url } = freshRemote(s);
  const r = await openRemote(sshConfig(url, { keyfile: s.privateKeyPath, ...settings }), process.cwd(), {
    create: true,
  });
  return {
    r,
    dir,
    cleanup: async () => {
      await r.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function failure(p: Promise<unknown>): Promise<RemoteFailureError['failure']> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RemoteFailureError) return e.failure;
    throw e;
  }
  throw new Error('expected a remote failure');
}

describe.skipIf(serverTestsSkipped())('ssh remote', () => {
  objectStoreContract('ssh remote', async () => {
    const f = await openFresh();
    return { store: f.r.objects, cleanup: () => f.cleanup() };
  });

  keyValueStoreContract('ssh remote (run-cache records)', async () => {
    const f = await openFresh();
    return { store: f.r.kv, cleanup: () => f.cleanup() };
  });

  describe('layout, channels and configuration', () => {
    let s: SshdInfo;
    const cleanups: (() => Promise<void> | void)[] = [];
    beforeAll(async () => void (s = await sshd()));
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c();
    });

    it('mirrors cache/ on the host (ab/cdef…, runs/), leaves no temp file, runs parallel puts on several channels of one connection', async () => {
      const f = await openFresh();
      cleanups.push(() => f.cleanup());
      const blobs = Array.from({ length: 40 }, (_, i) => Buffer.from(`object ${i}\n`));
      await Promise.all(blobs.map((b) => f.r.objects.put(idOf(b), b)));
      await f.r.kv.write('train/k.json', '{}');
      const id = idOf(blobs[0]);
      expect(fs.readFileSync(path.join(f.dir, id.slice(0, 2), id.slice(2)), 'utf8')).toBe('object 0\n');
      expect(fs.readFileSync(path.join(f.dir, 'runs', 'train', 'k.json'), 'utf8')).toBe('{}');
      const all = fs.readdirSync(f.dir, { recursive: true }).map(String);
      expect(all.filter((p) => p.endsWith('.tmp'))).toEqual([]);
      expect(f.r.defaultJobs).toBe(8);
      // One TCP connection from this process to the server, whatever the parallelism.
      const log = fs.readFileSync(path.join(path.dirname(s.baseDir), 'sshd.log'), 'utf8');
      expect(log).toMatch(/Accepted publickey/);
      expect((f.r.objects as unknown as { session: { channelCount: number } }).session.channelCount).toBeGreaterThan(1);
      expect(
        (f.r.objects as unknown as { session: { channelCount: number } }).session.channelCount,
      ).toBeLessThanOrEqual(8);
    });

    it('hasMany lists fan-out directories for many ids and stats a few; both give the present subset', async () => {
      const f = await openFresh();
      cleanups.push(() => f.cleanup());
      const stored: ObjectId[] = [];
      for (let i = 0; i < 300; i++) stored.push(idOf(`stored ${i}`));
      await Promise.all(stored.map((id, i) => f.r.objects.put(id, Buffer.from(`stored ${i}`))));
      const absent = Array.from({ length: 300 }, (_, i) => idOf(`absent ${i}`));
      expect(await f.r.objects.hasMany([...stored, ...absent])).toEqual(new Set(stored));
      expect(await f.r.objects.hasMany([stored[3], absent[3]])).toEqual(new Set([stored[3]]));
    });

    it('takes HostName, User, Port and IdentityFile from ~/.ssh/config for a host alias', async () => {
      fakeHome(s, {
        config: `Host other\n  User nobody\n\nHost storage-box\n  HostName ${s.host}\n  User ${s.user}\n  Port ${s.port}\n  IdentityFile ${s.privateKeyPath}\n`,
      });
      const { dir } = freshRemote(s);
      const r = await openRemote(sshConfig(`ssh://storage-box${dir}`), process.cwd(), { create: true });
      cleanups.push(async () => {
        await r.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });
      await r.objects.put(idOf('via config'), Buffer.from('via config'));
      expect(fs.existsSync(dir)).toBe(true);
    });
  });

  describe('errors name the remote and say what to do', () => {
    let s: SshdInfo;
    beforeAll(async () => void (s = await sshd()));

    it('a key the server does not accept: auth-failed naming the key file, no key material', async () => {
      const home = fakeHome(s);
      const other = path.join(home, '.ssh', 'id_ed25519');
      await run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const { url } = freshRemote(s);
      // No keyfile: the default ~/.ssh/id_ed25519 is offered, and refused.
      const f = await failure(openRemote(sshConfig(url), process.cwd(), { create: true }));
      expect(f).toMatchObject({ problem: 'auth-failed', remote: 'origin', url });
      expect(f.detail).toContain(other);
      const keyText = fs.readFileSync(other, 'utf8');
      expect(f.detail).not.toContain(keyText.split('\n')[1]);
    });

    it('a passphrase-protected key is skipped with a pointer to the agent', async () => {
      const home = fakeHome(s);
      const locked = path.join(home, 'locked');
      await run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret phrase', '-f', locked]);
      const f = await failure(
        openRemote(sshConfig(freshRemote(s).url, { keyfile: locked }), process.cwd(), { create: true }),
      );
      expect(f.problem).toBe('auth-failed');
      expect(f.detail).toMatch(/locked \(passphrase-protected: add it to the ssh agent with ssh-add\)/);
    });

    it('an unknown host key is refused, naming the host, its fingerprint and how to add it', async () => {
      fakeHome(s, { knownHosts: false });
      const { url } = freshRemote(s);
      const f = await failure(
        openRemote(sshConfig(url, { keyfile: s.privateKeyPath }), process.cwd(), { create: true }),
      );
      expect(f.problem).toBe('io');
      expect(f.detail).toMatch(
        new RegExp(`the host key of \\[127\\.0\\.0\\.1\\]:${s.port} \\(SHA256:\\S+\\) is not in known_hosts`),
      );
      expect(f.detail).toContain(`ssh -p ${s.port} ${s.user}@127.0.0.1`);
      expect(fs.existsSync(path.join(process.env.HOME as string, '.ssh', 'known_hosts'))).toBe(false);
    });

    it('a changed host key is refused as a possible attack, naming the known_hosts line', async () => {
      const home = fakeHome(s);
      const fake = path.join(home, 'fakehost');
      await run('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', fake]);
      const pub = fs.readFileSync(`${fake}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      const kh = path.join(home, '.ssh', 'known_hosts');
      fs.writeFileSync(kh, `# comment\n[127.0.0.1]:${s.port} ${pub}\n`);
      const f = await failure(
        openRemote(sshConfig(freshRemote(s).url, { keyfile: s.privateKeyPath }), process.cwd(), { create: true }),
      );
      expect(f.detail).toMatch(/has CHANGED/);
      expect(f.detail).toContain(`${kh} line 2`);
      expect(f.detail).toContain(`ssh-keygen -R '[127.0.0.1]:${s.port}'`);
    });

    it('a hashed known_hosts line (ssh-keygen -H) is accepted', async () => {
      const home = fakeHome(s);
      await run('/usr/bin/ssh-keygen', ['-q', '-H', '-f', path.join(home, '.ssh', 'known_hosts')]);
      expect(fs.readFileSync(path.join(home, '.ssh', 'known_hosts'), 'utf8')).toMatch(/^\|1\|/);
      const { dir, url } = freshRemote(s);
      const r = await openRemote(sshConfig(url, { keyfile: s.privateKeyPath }), process.cwd(), { create: true });
      await r.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('nothing listening: unreachable, naming host and port', async () => {
      fakeHome(s);
      const [port] = (await freePorts(1)) as [number];
      const url = `ssh://${s.user}@127.0.0.1:${port}/tmp/x`;
      const f = await failure(
        openRemote(sshConfig(url, { keyfile: s.privateKeyPath }), process.cwd(), { create: true }),
      );
      expect(f).toMatchObject({ problem: 'unreachable', url });
      expect(f.detail).toContain(`cannot connect to [127.0.0.1]:${port}`);
      expect(f.detail).toContain('ECONNREFUSED');
    });

    it('a missing directory: not-found for a read; for a push only inside an existing parent', async () => {
      fakeHome(s);
      const { dir, url } = freshRemote(s);
      expect(
        await failure(openRemote(sshConfig(url, { keyfile: s.privateKeyPath }), process.cwd(), { create: false })),
      ).toMatchObject({ problem: 'not-found' });
      const deep = `${url}/a/b`;
      const f = await failure(
        openRemote(sshConfig(deep, { keyfile: s.privateKeyPath }), process.cwd(), { create: true }),
      );
      expect(f.problem).toBe('not-found');
      expect(f.detail).toContain(`neither ${dir}/a/b nor its parent directory exists`);
      expect(fs.existsSync(dir)).toBe(false);
    });
  });
});

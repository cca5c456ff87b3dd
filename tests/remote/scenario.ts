// The remote scenarios every backend runs (path now; SSH/SFTP and S3 call the same suite against their real
// servers): the CI scenario (A pushes with its run cache, a fresh git clone B pulls, `status --check` passes,
// `repro` runs nothing, `repro --pull` restores a run A made), the complete-directory memory, and the fault
// tests (kill -9 mid-push, a corrupt and a missing object on the remote). The remote is inspected through
// the backend's own ObjectStore (openRemote), which is what any client sees.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { Project, stagesWith } from '../helpers/project-rig.js';
import { openRemote, type RemoteStores } from '../../src/engine/remote/registry.js';
import { parseRemoteUrl } from '../../src/engine/remote/remote-url.js';
import type { ObjectId } from '../../src/engine/cache/object-store.js';

/** A fresh, empty remote for one test. */
export interface RemoteFixture {
  /** The URL for `xpipe remote add`. */
  url: string;
  /** Extra `xpipe remote modify` settings (endpoint, port, keyfile...). */
  settings?: Record<string, string>;
  cleanup(): Promise<void> | void;
}

const PIPELINE = `stages:
  gen:
    cmd: echo gen >> counter && mkdir -p data && echo "n=\${n}" > data/a.txt && echo "b\${n}" > data/b.txt && echo "\${n}" > one.txt
    params: [n]
    outs: [data, one.txt]
  use:
    cmd: echo use >> counter && cat one.txt data/a.txt > use.txt
    deps: [one.txt, data]
    outs: [use.txt]
`;
const GITIGNORE = 'cache/\n.xpipe/state/\n.xpipe/tmp/\ncounter\ndata/\none.txt\nuse.txt\nbig/\n';

async function git(dir: string, ...args: string[]): Promise<void> {
  await execa('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir });
}

/** The object id pipeline.lock records for out `out`. */
function lockHash(p: Project, out: string): ObjectId {
  const m = new RegExp(`- path: ${out}\\n\\s+hash: (\\S+)`).exec(p.read('pipeline.lock'));
  if (!m) throw new Error(`no ${out} in pipeline.lock`);
  return m[1] as ObjectId;
}

function sha1(b: Buffer): string {
  return crypto.createHash('sha1').update(b).digest('hex');
}

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The files a directory out's manifest lists (read from the project's cache). */
function manifestIds(p: Project, dirId: ObjectId): ObjectId[] {
  const rows = JSON.parse(p.read(`cache/${dirId.slice(0, 2)}/${dirId.slice(2)}`)) as [string, ObjectId, number][];
  return rows.map((r) => r[1]);
}

export function remoteScenarioSuite(name: string, makeRemote: () => Promise<RemoteFixture>): void {
  describe(`remote scenarios: ${name}`, () => {
    const disposers: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const d of disposers.splice(0).reverse()) await d();
    });

    /** Project A with the remote as its default, committed to git; and the remote's stores for inspection. */
    async function setup(): Promise<{ a: Project; remote: RemoteStores }> {
      const fx = await makeRemote();
      disposers.push(() => fx.cleanup());
      const a = Project.create({ 'pipeline.yaml': PIPELINE, 'params.yaml': 'n: 1\n', '.gitignore': GITIGNORE });
      disposers.push(() => a.dispose());
      expect((await a.run(['remote', 'add', '-d', 'origin', fx.url])).code).toBe(0);
      for (const [k, v] of Object.entries(fx.settings ?? {}))
        expect((await a.run(['remote', 'modify', 'origin', k, v])).code).toBe(0);
      const url = parseRemoteUrl(fx.url, a.dir);
      if (!url.ok) throw new Error(url.error);
      const remote = await openRemote(
        { name: 'origin', url: url.value, settings: { url: fx.url, ...fx.settings } },
        a.dir,
        { create: true },
      );
      disposers.push(() => remote.close());
      return { a, remote };
    }

    /** A fresh `git clone` of A. */
    async function clone(a: Project): Promise<Project> {
      await git(a.dir, 'init', '-q');
      await git(a.dir, 'add', '-A');
      await git(a.dir, 'commit', '-qm', 'pipeline');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-clone-'));
      disposers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
      await git(dir, 'clone', '-q', a.dir, 'b');
      return new Project(path.join(dir, 'b'));
    }

    /** A runs n=1 and n=2, pushing both with their run cache; the lock (n=2) is committed. */
    async function sharedHistory(): Promise<{ a: Project; remote: RemoteStores }> {
      const s = await setup();
      expect((await s.a.run(['repro'])).code).toBe(0);
      expect((await s.a.run(['push', '--run-cache'])).code).toBe(0);
      s.a.write('params.yaml', 'n: 2\n');
      expect((await s.a.run(['repro'])).code).toBe(0);
      const pushed = await s.a.run(['push', '--run-cache', '--json']);
      expect(pushed.code).toBe(0);
      expect(JSON.parse(pushed.stdout)).toMatchObject({
        type: 'push',
        problems: [],
        runCache: { copied: 2, skipped: 0 },
      });
      return s;
    }

    it('CI: a fresh clone pulls, passes status --check, runs nothing; repro --pull restores a run A pushed', async () => {
      const { a } = await sharedHistory();
      const again = await a.run(['push', '--run-cache', '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ objects: 0, bytes: 0, runCache: { copied: 0 } });

      const b = await clone(a);
      expect(b.exists('use.txt')).toBe(false);
      const cloud = await b.run(['status', '--cloud', '--json']);
      expect(JSON.parse(cloud.stdout)).toMatchObject({ push: { objects: 0 }, pull: { objects: 5 } });
      const pulled = await b.run(['pull']);
      expect(pulled.stderr).toBe('');
      expect(pulled.code).toBe(0);
      expect(pulled.stdout).toContain('restored use.txt');
      expect(b.read('use.txt')).toBe('2\nn=2\n');
      expect((await b.run(['status', '--check'])).code).toBe(0);
      const repro = await b.run(['repro', '--json']);
      expect(stagesWith(repro.events, 'up-to-date')).toEqual(['gen', 'use']);
      expect(b.count()).toBe(0);

      b.write('params.yaml', 'n: 1\n');
      const restored = await b.run(['repro', '--pull']);
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain('restored gen from remote run cache');
      expect(restored.stdout).toContain('restored use from remote run cache');
      expect(b.count()).toBe(0);
      expect(b.read('use.txt')).toBe('1\nn=1\n');
      expect((await b.run(['status', '--check'])).code).toBe(0);
      // Without --pull, a value nobody ran here or remotely runs.
      b.write('params.yaml', 'n: 3\n');
      expect(stagesWith((await b.run(['repro', '--pull', '--json'])).events, 'ran')).toEqual(['gen', 'use']);
      expect(b.count()).toBe(2);
    });

    it('a directory pushed completely is remembered; a manifest gone from the remote is forgotten', async () => {
      const { a, remote } = await setup();
      expect((await a.run(['repro'])).code).toBe(0);
      expect((await a.run(['push'])).code).toBe(0);
      const dir = lockHash(a, 'data');
      const file = manifestIds(a, dir)[0];
      // Deleted behind xpipe's back: the memory vouches for the directory's files, so push asks nothing about them.
      await remote.objects.delete(file);
      expect(JSON.parse((await a.run(['push', '--json'])).stdout)).toMatchObject({ objects: 0 });
      expect(await remote.objects.has(file)).toBe(false);
      // A missing manifest (a wiped remote) drops the memory: the files are checked and sent again.
      await remote.objects.delete(dir);
      expect(JSON.parse((await a.run(['push', '--json'])).stdout)).toMatchObject({ objects: 2, problems: [] });
      expect(await remote.objects.hasMany([dir, file])).toEqual(new Set([dir, file]));
    });

    it('kill -9 during a push leaves no partial object under a final name; the next push completes', async () => {
      const { a, remote } = await setup();
      a.write(
        'pipeline.yaml',
        `stages:\n  big:\n    cmd: mkdir -p big && head -c 3000000 /dev/urandom > big/blob.bin && echo small > big/small.txt\n    outs: [big]\n`,
      );
      expect((await a.run(['repro'])).code).toBe(0);
      const dir = lockHash(a, 'big');
      const objects = manifestIds(a, dir);
      const blobId = objects.find(
        (id) => fs.statSync(a.abs(`cache/${id.slice(0, 2)}/${id.slice(2)}`)).size > 1e6,
      ) as ObjectId;
      const objPath = a.abs(`cache/${blobId.slice(0, 2)}/${blobId.slice(2)}`);
      const bytes = fs.readFileSync(objPath);
      // Stall the upload mid-object: the cached blob becomes a FIFO that this test feeds by hand.
      fs.rmSync(objPath);
      await execa('mkfifo', [objPath]);
      const child = a.spawn(['push', '-j', '1']);
      const fifo = await fs.promises.open(objPath, 'w');
      await fifo.write(bytes.subarray(0, bytes.length / 2));
      child.kill('SIGKILL');
      await child;
      await fifo.close().catch(() => {});

      expect(await remote.objects.has(blobId)).toBe(false);
      expect(await remote.objects.has(dir)).toBe(false);
      for await (const id of remote.objects.list()) {
        const got = await readAll((await remote.objects.get(id))!);
        expect(sha1(got), `object ${id} on the remote is whole`).toBe(id.replace(/\.dir$/, ''));
      }

      fs.rmSync(objPath);
      fs.writeFileSync(objPath, bytes, { mode: 0o444 });
      const second = await a.run(['push']);
      expect(second.code).toBe(0);
      expect(await remote.objects.hasMany([dir, ...objects])).toEqual(new Set([dir, ...objects]));
      expect(sha1(await readAll((await remote.objects.get(blobId))!))).toBe(blobId);
    });

    it('fetch rejects a corrupt object on the remote (named, not written to cache/); the rest is restored', async () => {
      const { a, remote } = await sharedHistory();
      const b = await clone(a);
      const bad = lockHash(a, 'use.txt');
      await remote.objects.delete(bad);
      await remote.objects.put(bad, Buffer.from('tampered on the remote\n'));
      const pulled = await b.run(['pull']);
      expect(pulled.code).toBe(1);
      expect(pulled.stdout).toMatch(
        new RegExp(
          `corrupt on remote origin: \\S*${bad.slice(0, 2)}/${bad.slice(2)} of use.txt \\(stage use\\) hashes to ${sha1(Buffer.from('tampered on the remote\n'))}`,
        ),
      );
      expect(b.exists(`cache/${bad.slice(0, 2)}/${bad.slice(2)}`)).toBe(false);
      expect(fs.readdirSync(b.abs('cache/tmp'))).toEqual([]);
      expect(b.exists('use.txt')).toBe(false);
      expect(b.read('one.txt')).toBe('2\n');
      expect(b.read('data/a.txt')).toBe('n=2\n');
    });

    it('pull reports an object missing on the remote per out with its stage, exits 1, restores the rest', async () => {
      const { a, remote } = await sharedHistory();
      const b = await clone(a);
      const dir = lockHash(a, 'data');
      const gone = manifestIds(a, dir).find((id) => id !== lockHash(a, 'one.txt')) as ObjectId;
      await remote.objects.delete(gone);
      const pulled = await b.run(['pull', '--json']);
      expect(pulled.code).toBe(1);
      const report = JSON.parse(pulled.stdout);
      expect(report.fetch.problems).toEqual([
        { stage: 'gen', out: 'data', problem: 'missing-remote', objects: [{ id: gone }] },
      ]);
      expect(report.checkout.restored.sort()).toEqual(['one.txt', 'use.txt']);
      expect(b.exists('data')).toBe(false);
      const text = await b.run(['pull']);
      expect(text.stdout).toContain('missing on remote origin: data of stage gen');
    });
  });
}

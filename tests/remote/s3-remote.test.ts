// The S3 remote against the real OpenStack Swift S3 API of tests/servers: the storage contract, the shared
// remote scenarios (through the real CLI), and S3 specifics: credentials from ~/.aws through a profile,
// wrong secret / missing bucket / unreachable endpoint as typed failures that never show a secret,
// multipart upload of a 20 MiB object, a corrupt object (overwritten with the aws CLI) rejected by fetch,
// and the request counts of `status --cloud` on an empty and a full remote.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyValueStoreContract, objectStoreContract } from '../engine/object-store.contract.js';
import { swiftS3, type SwiftS3Info } from '../servers/index.js';
import { openRemote } from '../../src/engine/remote/registry.js';
import { RemoteFailureError } from '../../src/engine/remote/errors.js';
import { parseRemoteUrl } from '../../src/engine/remote/remote-url.js';
import type { RemoteConfig, RemoteSettings } from '../../src/engine/config/project-config.js';
import { ObjectMismatchError, type ObjectId } from '../../src/engine/cache/object-store.js';
import { resetS3Stats, s3Stats, totalRequests } from '../../src/engine/remote/backends/s3-client.js';
import { planExistence } from '../../src/engine/remote/backends/s3-existence.js';
import { openProject } from '../../src/engine/project.js';
import { cloudStatus } from '../../src/engine/remote/cloud-status.js';
import { Project } from '../helpers/project-rig.js';
import { remoteScenarioSuite } from './scenario.js';

const PROFILE = 'xpipe-test';
let w: SwiftS3Info;
let home: string;
const realHome = process.env.HOME;

// Credentials reach xpipe the way a user's would: ~/.aws/credentials with a named profile (the `profile`
// setting), in a temp HOME that the CLI children inherit (the rig passes HOME through). No AWS_* variables.
beforeAll(async () => {
  w = await swiftS3();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-s3-home-'));
  fs.mkdirSync(path.join(home, '.aws'));
  fs.writeFileSync(
    path.join(home, '.aws', 'credentials'),
    [
      `[${PROFILE}]`,
      `aws_access_key_id = ${w.accessKeyId}`,
      `aws_secret_access_key = ${w.secretAccessKey}`,
      '[wrong-secret]',
      `aws_access_key_id = ${w.accessKeyId}`,
      `aws_secret_access_key = ${WRONG_SECRET}`,
      '[unknown-key]',
      'aws_access_key_id = nobody:nobody',
      `aws_secret_access_key = ${WRONG_SECRET}`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(home, '.aws', 'config'), '');
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  process.env.HOME = home;
}, 120_000);

afterAll(() => {
  process.env.HOME = realHome;
  fs.rmSync(home, { recursive: true, force: true });
});

const WRONG_SECRET = 'WRONGsecretWRONGsecretWRONGsecret0123';

function uniquePrefix(): string {
  return `t-${crypto.randomBytes(6).toString('hex')}`;
}

function s3Config(prefix: string, settings: Partial<RemoteSettings> = {}, bucket = w.bucket): RemoteConfig {
  const url = `s3://${bucket}/${prefix}`;
  const u = parseRemoteUrl(url, os.tmpdir());
  if (!u.ok) throw new Error(u.error);
  return { name: 'origin', url: u.value, settings: { url, endpoint: w.endpoint, profile: PROFILE, ...settings } };
}

/** The aws CLI (Debian's) against the test server, with the server's own env (no ~/.aws). */
async function aws(...args: string[]): Promise<string> {
  const r = await execa('/usr/bin/aws', ['--endpoint-url', w.endpoint, ...args], {
    env: { ...process.env, ...w.env, HOME: home },
  });
  return r.stdout;
}

async function failureOf(p: Promise<unknown>): Promise<RemoteFailureError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RemoteFailureError) return e;
    throw e;
  }
  throw new Error('expected a remote failure');
}

objectStoreContract('s3 remote (Swift)', async () => {
  const r = await openRemote(s3Config(uniquePrefix()), os.tmpdir(), { create: true });
  return { store: r.objects, cleanup: () => r.close() };
});

keyValueStoreContract('s3 remote run-cache records (Swift)', async () => {
  const r = await openRemote(s3Config(uniquePrefix()), os.tmpdir(), { create: true });
  return { store: r.kv, cleanup: () => r.close() };
});

remoteScenarioSuite('s3 (Swift)', async () => ({
  url: `s3://${w.bucket}/${uniquePrefix()}`,
  settings: { endpoint: w.endpoint, profile: PROFILE },
  cleanup: () => {},
}));

describe('S3 remote: failures are typed, name the remote, and never show a secret', () => {
  it('a wrong secret: auth-failed naming SignatureDoesNotMatch, neither secret in the message or CLI output', async () => {
    const f = await failureOf(
      openRemote(s3Config(uniquePrefix(), { profile: 'wrong-secret' }), os.tmpdir(), { create: true }),
    );
    expect(f.failure).toMatchObject({ problem: 'auth-failed', remote: 'origin' });
    expect(f.failure.detail).toContain('SignatureDoesNotMatch');
    for (const secret of [WRONG_SECRET, w.secretAccessKey])
      expect(JSON.stringify(f.failure) + f.message).not.toContain(secret);

    const p = Project.create({ 'pipeline.yaml': 'stages:\n  gen:\n    cmd: echo hi > out.txt\n    outs: [out.txt]\n' });
    try {
      expect((await p.run(['repro'])).code).toBe(0);
      expect((await p.run(['remote', 'add', '-d', 'origin', `s3://${w.bucket}/${uniquePrefix()}`])).code).toBe(0);
      expect((await p.run(['remote', 'modify', 'origin', 'endpoint', w.endpoint])).code).toBe(0);
      expect((await p.run(['remote', 'modify', 'origin', 'profile', 'wrong-secret'])).code).toBe(0);
      const r = await p.run(['push']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('refused the credentials');
      expect(r.stderr).toContain('SignatureDoesNotMatch');
      for (const secret of [WRONG_SECRET, w.secretAccessKey]) expect(r.stdout + r.stderr).not.toContain(secret);
      expect(fs.readFileSync(p.abs('.xpipe/config.yaml'), 'utf8')).not.toContain(WRONG_SECRET);
    } finally {
      p.dispose();
    }
  });

  it('an unknown access key: auth-failed (InvalidAccessKeyId)', async () => {
    const f = await failureOf(
      openRemote(s3Config(uniquePrefix(), { profile: 'unknown-key' }), os.tmpdir(), { create: true }),
    );
    expect(f.failure.problem).toBe('auth-failed');
    expect(f.failure.detail).toMatch(/InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/);
    expect(f.message).not.toContain(WRONG_SECRET);
  });

  it('no credentials in the chain: auth-failed saying where credentials come from', async () => {
    const f = await failureOf(
      openRemote(s3Config(uniquePrefix(), { profile: 'no-such-profile' }), os.tmpdir(), { create: true }),
    );
    expect(f.failure.problem).toBe('auth-failed');
    expect(f.failure.detail).toMatch(/no AWS credentials found.*AWS_ACCESS_KEY_ID.*~\/\.aws.*profile/);
  });

  it('a missing bucket: missing-bucket naming the bucket and how to create it', async () => {
    const f = await failureOf(
      openRemote(s3Config(uniquePrefix(), {}, 'no-such-bucket-xpipe'), os.tmpdir(), { create: true }),
    );
    expect(f.failure).toMatchObject({
      problem: 'missing-bucket',
      url: expect.stringContaining('s3://no-such-bucket-xpipe/'),
    });
    expect(f.failure.detail).toContain('aws s3 mb s3://no-such-bucket-xpipe');
  });

  it('an unreachable endpoint: unreachable naming the endpoint', async () => {
    const f = await failureOf(
      openRemote(s3Config(uniquePrefix(), { endpoint: 'http://127.0.0.1:9' }), os.tmpdir(), { create: true }),
    );
    expect(f.failure.problem).toBe('unreachable');
    expect(f.failure.detail).toContain('http://127.0.0.1:9');
  });
});

describe('S3 remote: large objects and verification', () => {
  it('a 20 MiB object goes up as a multipart upload (streamed from the file) and round-trips', async () => {
    const r = await openRemote(s3Config(uniquePrefix()), os.tmpdir(), { create: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-s3-big-'));
    try {
      const src = path.join(dir, 'big.bin');
      fs.writeFileSync(src, crypto.randomBytes(20 * 1024 * 1024));
      const id = crypto.createHash('sha1').update(fs.readFileSync(src)).digest('hex') as ObjectId;
      resetS3Stats();
      await r.objects.putFile(id, src);
      const req = s3Stats().requests;
      expect(req).toMatchObject({
        CreateMultipartUploadCommand: 1,
        UploadPartCommand: 3,
        CompleteMultipartUploadCommand: 1,
      });
      expect(req.PutObjectCommand).toBeUndefined();
      const head = JSON.parse(
        await aws(
          's3api',
          'head-object',
          '--bucket',
          r.objects.location.split('/')[2],
          '--key',
          `${r.objects.location.split('/').slice(3).join('/')}${id.slice(0, 2)}/${id.slice(2)}`,
        ),
      );
      expect(head.ETag).toMatch(/-3"$/);
      const dest = path.join(dir, 'back.bin');
      expect(await r.objects.getFile(id, dest)).toBe(true);
      expect(crypto.createHash('sha1').update(fs.readFileSync(dest)).digest('hex')).toBe(id);
    } finally {
      await r.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a multipart put with verify whose bytes do not match is aborted: nothing under the id', async () => {
    const r = await openRemote(s3Config(uniquePrefix()), os.tmpdir(), { create: true });
    try {
      const block = Buffer.alloc(1024 * 1024, 7);
      const wrongId = crypto.createHash('sha1').update('something else').digest('hex') as ObjectId;
      resetS3Stats();
      await expect(
        r.objects.put(wrongId, Readable.from(Array.from({ length: 12 }, () => block)), { verify: true }),
      ).rejects.toBeInstanceOf(ObjectMismatchError);
      expect(s3Stats().requests.CompleteMultipartUploadCommand).toBeUndefined();
      expect(await r.objects.has(wrongId)).toBe(false);
    } finally {
      await r.close();
    }
  });

  it('an object overwritten on the remote with the aws CLI is rejected by fetch, named, and kept out of cache/', async () => {
    const prefix = uniquePrefix();
    const p = Project.create({
      'pipeline.yaml':
        'stages:\n  gen:\n    cmd: echo payload > out.txt && echo other > two.txt\n    outs: [out.txt, two.txt]\n',
    });
    try {
      expect((await p.run(['repro'])).code).toBe(0);
      expect((await p.run(['remote', 'add', '-d', 'origin', `s3://${w.bucket}/${prefix}`])).code).toBe(0);
      expect((await p.run(['remote', 'modify', 'origin', 'endpoint', w.endpoint])).code).toBe(0);
      expect((await p.run(['remote', 'modify', 'origin', 'profile', PROFILE])).code).toBe(0);
      expect((await p.run(['push'])).code).toBe(0);
      const id = crypto.createHash('sha1').update('payload\n').digest('hex');
      const tampered = path.join(p.dir, 'tampered');
      fs.writeFileSync(tampered, 'tampered on the server\n');
      await aws('s3', 'cp', tampered, `s3://${w.bucket}/${prefix}/${id.slice(0, 2)}/${id.slice(2)}`);
      fs.rmSync(p.abs('cache'), { recursive: true, force: true });
      const r = await p.run(['fetch']);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain(`${id.slice(0, 2)}/${id.slice(2)}`);
      expect(r.stdout + r.stderr).toContain('out.txt');
      expect(fs.existsSync(p.abs(`cache/${id.slice(0, 2)}/${id.slice(2)}`))).toBe(false);
      const other = crypto.createHash('sha1').update('other\n').digest('hex');
      expect(fs.existsSync(p.abs(`cache/${other.slice(0, 2)}/${other.slice(2)}`))).toBe(true);
    } finally {
      p.dispose();
    }
  });
});

describe('S3 remote: existence checks cost the fewest requests', () => {
  it('the cost model: HEAD for a few ids on a large remote, folder listings when ids crowd a large one, one listing on a small one', () => {
    const ids = Array.from({ length: 50_000 }, (_, i) => crypto.createHash('sha1').update(String(i)).digest('hex'));
    expect(planExistence(ids.slice(0, 3), 1_000_000)).toMatchObject({
      strategy: 'head',
      costs: { head: 3, 'list-all': 1000 },
    });
    // 500 ids fall in 224 of the 256 folders; each folder of a 250k-object remote is one page.
    expect(planExistence(ids.slice(0, 500), 250_000)).toEqual({
      strategy: 'list-prefixes',
      costs: { head: 500, 'list-prefixes': 224, 'list-all': 250 },
    });
    expect(planExistence(ids, 10_000_000)).toEqual({
      strategy: 'list-all',
      costs: { head: 50_000, 'list-prefixes': 256 * 40, 'list-all': 10_000 },
    });
    expect(planExistence(ids.slice(0, 500), 3_000)).toMatchObject({ strategy: 'list-all', costs: { 'list-all': 3 } });
    // Half the hash space already listed by the probe: only the other half is left to page through.
    expect(planExistence(ids.slice(0, 500), 3_000, 0.5).costs['list-all']).toBe(2);
  });

  it('status --cloud on an empty and on a full remote: a listing, not one request per object', async () => {
    const files = 300;
    const p = Project.create({
      'pipeline.yaml': `stages:\n  gen:\n    cmd: mkdir -p data && for i in $(seq 1 ${files}); do echo "$i" > data/f$i; done\n    outs: [data]\n`,
    });
    try {
      expect((await p.run(['repro'])).code).toBe(0);
      expect((await p.run(['remote', 'add', '-d', 'origin', `s3://${w.bucket}/${uniquePrefix()}`])).code).toBe(0);
      expect((await p.run(['remote', 'modify', 'origin', 'endpoint', w.endpoint])).code).toBe(0);
      expect((await p.run(['remote', 'modify', 'origin', 'profile', PROFILE])).code).toBe(0);
      const status = async () => {
        const project = openProject({ root: p.dir });
        if (!project.ok) throw new Error('project');
        resetS3Stats();
        const s = await cloudStatus(project.value);
        if (!s.ok) throw new Error(JSON.stringify(s.error));
        return { s: s.value, stats: s3Stats() };
      };
      const empty = await status();
      expect(empty.s.push.objects).toBe(files + 1);
      // open (1-key listing) + HEAD of the manifest + one listing that answers all 300 files.
      expect(empty.stats.existence.map((e) => [e.ids, e.strategy, e.requests])).toEqual([
        [1, 'head', 1],
        [files, 'list-all', 1],
      ]);
      expect(totalRequests(empty.stats)).toBe(3);

      expect((await p.run(['push'])).code).toBe(0);
      const full = await status();
      expect(full.s.push.objects).toBe(0);
      expect(full.s.outs[0]?.remote).toBe('complete');
      expect(full.stats.existence.map((e) => [e.ids, e.strategy, e.requests])).toEqual([
        [1, 'head', 1],
        [files, 'list-all', 1],
      ]);
      expect(totalRequests(full.stats)).toBe(3);
    } finally {
      p.dispose();
    }
  });
});

// Smoke test of the real test servers: each one started through the shared entry point does one real
// round trip with the stock clients (ssh/sftp, aws, sbatch/squeue/scontrol), and refuses what it should
// (a key that is not authorized, a wrong S3 secret), so the remote and Slurm tests build on servers that
// are known to authenticate and run jobs.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServerUnavailable,
  serverTestsSkipped,
  slurm,
  sshd,
  swiftS3,
  type SlurmInfo,
  type SshdInfo,
  type SwiftS3Info,
} from './index.js';
import { requireBinaries } from './common.js';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Out> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { env: { ...process.env, ...opts.env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(opts.input ?? '');
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-servers-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(serverTestsSkipped())('real test servers', () => {
  // Started together: Swift dominates (~10 s), the others finish meanwhile.
  let started: Promise<[SshdInfo, SwiftS3Info, SlurmInfo]>;
  beforeAll(() => {
    started = Promise.all([sshd(), swiftS3(), slurm()]);
    started.catch(() => {}); // reported by the tests that await it
  });

  describe('sshd', () => {
    let s: SshdInfo;
    beforeAll(async () => void ([s] = await started), 120_000);

    it('runs a command and round-trips a file over SFTP with the generated key and known_hosts', async () => {
      const ssh = await sh('/usr/bin/ssh', [
        ...s.clientArgs,
        '-p',
        String(s.port),
        `${s.user}@${s.host}`,
        'echo "$((6*7))"',
      ]);
      expect(ssh.stderr).toBe('');
      expect(ssh.stdout).toBe('42\n');
      const payload = randomBytes(100_000);
      fs.writeFileSync(path.join(tmp, 'up.bin'), payload);
      const batch = `put ${tmp}/up.bin ${s.baseDir}/sftp.bin\nget ${s.baseDir}/sftp.bin ${tmp}/down.bin\n`;
      const sftp = await sh(
        '/usr/bin/sftp',
        [...s.clientArgs, '-P', String(s.port), '-b', '-', `${s.user}@${s.host}`],
        { input: batch },
      );
      expect(sftp.code, sftp.stderr).toBe(0);
      expect(fs.readFileSync(path.join(s.baseDir, 'sftp.bin')).equals(payload)).toBe(true);
      expect(fs.readFileSync(path.join(tmp, 'down.bin')).equals(payload)).toBe(true);
    });

    it('refuses a key that is not in authorized_keys', async () => {
      const other = path.join(tmp, 'other_ed25519');
      await sh('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
      const args = s.clientArgs.map((a) => (a === s.privateKeyPath ? other : a));
      const ssh = await sh('/usr/bin/ssh', [...args, '-p', String(s.port), `${s.user}@${s.host}`, 'true']);
      expect(ssh.code).toBe(255);
      expect(ssh.stderr).toMatch(/Permission denied \(publickey\)/);
    });
  });

  describe('swift-s3', () => {
    let w: SwiftS3Info;
    const aws = (args: string[], env: Record<string, string> = {}) =>
      sh('/usr/bin/aws', ['--endpoint-url', w.endpoint, '--no-cli-pager', ...args], { env: { ...w.env, ...env } });
    beforeAll(async () => void ([, w] = await started), 120_000);

    it('puts (multipart above 8 MiB), lists, gets and deletes objects with SigV4 and path-style URLs', async () => {
      const big = randomBytes(9 << 20);
      fs.writeFileSync(path.join(tmp, 'big.bin'), big);
      const key = `s3://${w.bucket}/smoke/big.bin`;
      expect((await aws(['s3', 'cp', '--only-show-errors', path.join(tmp, 'big.bin'), key])).stderr).toBe('');
      const head = await aws(['s3api', 'head-object', '--bucket', w.bucket, '--key', 'smoke/big.bin']);
      // A multipart upload (8 MiB parts by default) has an S3-style "<md5 of part md5s>-<parts>" ETag.
      expect(JSON.parse(head.stdout)).toMatchObject({ ContentLength: 9 << 20, ETag: expect.stringMatching(/-2"$/) });
      const list = await aws(['s3api', 'list-objects-v2', '--bucket', w.bucket, '--prefix', 'smoke/']);
      expect(JSON.parse(list.stdout).Contents.map((o: { Key: string }) => o.Key)).toEqual(['smoke/big.bin']);
      expect((await aws(['s3', 'cp', '--only-show-errors', key, path.join(tmp, 'big.down')])).code).toBe(0);
      expect(fs.readFileSync(path.join(tmp, 'big.down')).equals(big)).toBe(true);
      expect((await aws(['s3', 'rm', '--only-show-errors', key])).code).toBe(0);
      const after = await aws(['s3api', 'list-objects-v2', '--bucket', w.bucket, '--prefix', 'smoke/']);
      expect(after.stdout.includes('smoke/big.bin')).toBe(false);
    });

    it('refuses a wrong secret key', async () => {
      const r = await aws(['s3', 'ls', `s3://${w.bucket}/`], { AWS_SECRET_ACCESS_KEY: 'not-the-secret' });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/SignatureDoesNotMatch/);
    });
  });

  describe('slurm', () => {
    let l: SlurmInfo;
    const slurmCmd = (cmd: string, args: string[], input?: string) =>
      sh(`/usr/bin/${cmd}`, args, { env: l.env, input });
    beforeAll(async () => void ([, , l] = await started), 120_000);

    async function finalState(id: string): Promise<string> {
      for (;;) {
        const q = await slurmCmd('squeue', ['-h', '-t', 'all', '-j', id, '-o', '%T']);
        const st = q.stdout.trim();
        if (q.code !== 0) throw new Error(q.stderr);
        if (!['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', ''].includes(st)) return st;
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    it('runs a batch script from stdin to COMPLETED, and a failing one to FAILED with its exit code', async () => {
      const opts = [
        '--parsable',
        '--cpus-per-task=1',
        '--mem=64M',
        '--time=1',
        `--chdir=${l.workDir}`,
        `--output=${l.workDir}/%j.out`,
      ];
      const ok = await slurmCmd('sbatch', opts, '#!/bin/sh\necho "job $SLURM_JOB_ID ran"\n');
      const bad = await slurmCmd('sbatch', opts, '#!/bin/sh\nexit 3\n');
      expect(ok.stderr + bad.stderr).toBe('');
      const [okId, badId] = [ok.stdout.trim(), bad.stdout.trim()];
      expect(await finalState(okId)).toBe('COMPLETED');
      expect(fs.readFileSync(path.join(l.workDir, `${okId}.out`), 'utf8')).toBe(`job ${okId} ran\n`);
      expect(await finalState(badId)).toBe('FAILED');
      const show = (await slurmCmd('scontrol', ['show', 'job', badId])).stdout;
      expect(show).toMatch(/ExitCode=3:0/);
      expect(show).toMatch(/MinMemoryNode=64M/);
      expect(show).toMatch(/TimeLimit=00:01:00/);
    });
  });
});

describe('a missing package', () => {
  it('fails with the apt-get command that installs it', () => {
    expect(() => requireBinaries('sshd', { '/nonexistent/sshd': 'openssh-server' })).toThrow(ServerUnavailable);
    expect(() => requireBinaries('sshd', { '/nonexistent/sshd': 'openssh-server' })).toThrow(
      /apt-get install -y --no-install-recommends openssh-server/,
    );
  });
});

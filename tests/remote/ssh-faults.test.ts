// SSH-specific fault: sshd stops in the middle of a push (a private server, so the shared one is not
// disturbed). The push must fail promptly with a one-paragraph "cannot reach" error naming the remote,
// leave no partial object under a final name, and a push after sshd is back must complete.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from '../helpers/project-rig.js';
import { spawnDaemon, tcpOpen, waitFor } from '../servers/common.js';
import { serverTestsSkipped, startSshd, type ServerHandle, type SshdInfo } from '../servers/index.js';
import { fakeHome, freshRemote } from './ssh-fixture.js';

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        // Field 4 of /proc/PID/stat, after the parenthesised command name.
        const ppid = Number(
          fs
            .readFileSync(`/proc/${d}/stat`, 'utf8')
            .replace(/^.*\) /s, '')
            .split(' ')[1],
        );
        return ppid === pid ? [Number(d)] : [];
      } catch {
        return [];
      }
    });
}

/**
 * The host going away: the listener and its per-connection processes (which sshd puts in their own
 * sessions, so signalling the listener's group alone would leave running transfers connected).
 */
function stopDaemon(h: ServerHandle<SshdInfo>): void {
  for (const pg of h.state.pgids.splice(0)) {
    const sessions = childrenOf(pg);
    for (const pid of [pg, ...sessions]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

async function restartDaemon(h: ServerHandle<SshdInfo>): Promise<void> {
  const dir = h.state.dir;
  const pid = spawnDaemon(
    '/usr/sbin/sshd',
    ['-D', '-f', path.join(dir, 'sshd_config'), '-E', path.join(dir, 'sshd.log')],
    { logFile: path.join(dir, 'sshd.out') },
  );
  h.state.pgids.push(pid);
  await waitFor('sshd restarted', () => tcpOpen(h.info.port), {
    timeoutMs: 10_000,
    logs: [path.join(dir, 'sshd.log')],
    pids: [pid],
  });
}

describe.skipIf(serverTestsSkipped())('ssh remote faults', () => {
  let h: ServerHandle<SshdInfo>;
  beforeAll(async () => void (h = await startSshd()));
  afterAll(async () => h?.stop());

  it('sshd stopping mid-push: a clear unreachable error, no partial object; after a restart the push completes', async () => {
    const s = h.info;
    fakeHome(s);
    const { dir, url } = freshRemote(s);
    const a = Project.create({
      'pipeline.yaml':
        'stages:\n  big:\n    cmd: mkdir -p big && head -c 4000000 /dev/urandom > big/blob.bin && echo small > big/small.txt\n    outs: [big]\n',
    });
    try {
      expect((await a.run(['repro'])).code).toBe(0);
      expect((await a.run(['remote', 'add', '-d', 'origin', url])).code).toBe(0);
      expect((await a.run(['remote', 'modify', 'origin', 'keyfile', s.privateKeyPath])).code).toBe(0);
      const blobRel = fs
        .readdirSync(a.abs('cache'), { recursive: true })
        .map(String)
        .find((p) => /^[0-9a-f]{2}\//.test(p) && fs.statSync(a.abs(`cache/${p}`)).size > 1e6) as string;
      const objPath = a.abs(`cache/${blobRel}`);
      const bytes = fs.readFileSync(objPath);
      // The cached blob becomes a FIFO fed by hand, so the upload is reliably in the middle of the object.
      fs.rmSync(objPath);
      await execa('mkfifo', [objPath]);
      const child = a.spawn(['push', '-j', '1']);
      const fifo = await fs.promises.open(objPath, 'w');
      await fifo.write(bytes.subarray(0, bytes.length / 2));
      const tmpOnRemote = () =>
        fs.existsSync(dir) &&
        fs
          .readdirSync(dir, { recursive: true })
          .map(String)
          .some((p) => p.endsWith('.tmp'));
      await waitFor('a temp object on the remote', async () => tmpOnRemote(), { timeoutMs: 20_000 });

      let live = '';
      child.stderr?.on('data', (d: Buffer) => (live += d.toString()));
      stopDaemon(h);
      // Reported while the upload's source is still stalled: the lost connection fails it, not the data.
      await waitFor('the push to report the lost connection', () => live.includes('cannot reach'), {
        timeoutMs: 20_000,
      });
      // (The CLI then exits once its blocked read of the FIFO returns.)
      await fifo.close().catch(() => {});
      const failed = await child;
      expect(failed.exitCode).toBe(1);
      expect(failed.stderr).toMatch(
        new RegExp(
          `^error: cannot reach remote "origin" \\(${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): the SSH connection to \\[127\\.0\\.0\\.1\\]:${s.port} was lost during the transfer`,
        ),
      );
      expect(failed.stderr.trim().split('\n')).toHaveLength(1);
      const blobId = blobRel.replace('/', '');
      expect(fs.existsSync(path.join(dir, blobRel))).toBe(false);

      fs.rmSync(objPath);
      fs.writeFileSync(objPath, bytes, { mode: 0o444 });
      // While sshd is down a retry fails the same clear way; once it is back the retry completes.
      const down = await a.run(['push']);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(
        /cannot reach remote "origin" .*cannot connect to \[127\.0\.0\.1\]:\d+: .*ECONNREFUSED/,
      );
      await restartDaemon(h);
      const again = await a.run(['push']);
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
      const onRemote = fs.readFileSync(path.join(dir, blobRel));
      expect(crypto.createHash('sha1').update(onRemote).digest('hex')).toBe(blobId);
    } finally {
      a.dispose();
    }
  });
});

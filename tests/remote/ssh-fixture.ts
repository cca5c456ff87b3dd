// Shared set-up of the SSH remote tests: a throw-away HOME whose ~/.ssh holds the test server's known_hosts
// line (and, when asked, a config with the key), no ssh agent, and a fresh remote directory per test under
// the server's baseDir. The CLI child processes inherit HOME, so they see the same ~/.ssh.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RemoteConfig } from '../../src/engine/config/project-config.js';
import { parseRemoteUrl } from '../../src/engine/remote/remote-url.js';
import type { SshdInfo } from '../servers/index.js';

/** Points HOME at a fresh dir with `.ssh/known_hosts` = the server's line; drops SSH_AUTH_SOCK. */
export function fakeHome(s: SshdInfo, opts: { knownHosts?: boolean; config?: string } = {}): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-ssh-home-'));
  fs.mkdirSync(path.join(home, '.ssh'), { mode: 0o700 });
  if (opts.knownHosts !== false) fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${s.knownHostsLine}\n`);
  if (opts.config !== undefined) fs.writeFileSync(path.join(home, '.ssh', 'config'), opts.config);
  process.env.HOME = home;
  delete process.env.SSH_AUTH_SOCK;
  return home;
}

/** A fresh directory path (not created) under the server's baseDir, and its ssh:// URL. */
export function freshRemote(s: SshdInfo): { dir: string; url: string } {
  const dir = path.join(s.baseDir, `r-${crypto.randomBytes(5).toString('hex')}`);
  return { dir, url: `ssh://${s.user}@${s.host}:${s.port}${dir}` };
}

export function sshConfig(
  url: string,
  settings: Partial<RemoteConfig['settings']> = {},
  name = 'origin',
): RemoteConfig {
  const u = parseRemoteUrl(url, os.tmpdir());
  if (!u.ok) throw new Error(u.error);
  return { name, url: u.value, settings: { url, ...settings } };
}

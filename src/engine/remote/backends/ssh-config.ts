/**
 * The part of `~/.ssh/config` an SSH remote needs: for a host alias, its HostName, User, Port,
 * IdentityFile(s), IdentitiesOnly, UserKnownHostsFile(s) and ConnectTimeout, with OpenSSH's rules: the
 * first value obtained for a keyword wins (IdentityFile accumulates), `Host` patterns use `*`, `?` and `!`
 * negation, `~` and `%d %u %h %r %%` are expanded in file names. `Match` blocks are skipped (their
 * conditions would need a shell) and `Include` is not followed; both are rare for a storage host. Pure
 * apart from reading the file.
 * Owns: parsing ssh_config. Does not own: choosing between the URL, the remote's settings and this.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  userKnownHostsFiles?: string[];
  connectTimeoutSec?: number;
}

/** Glob match of one ssh_config / known_hosts pattern (`*`, `?`), case-insensitive like OpenSSH. */
export function matchPattern(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** True when a `Host`-style pattern list (space or comma separated, `!` negates) matches `name`. */
export function matchPatternList(patterns: string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchPattern(p.slice(1), name)) return false;
    } else if (matchPattern(p, name)) matched = true;
  }
  return matched;
}

function splitArgs(rest: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(rest); m; m = re.exec(rest)) out.push(m[1] ?? m[2]);
  return out;
}

/** Reads `file` (absent → empty config) for host alias `host`. */
export function readSshConfig(file: string, host: string): SshHostConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return { identityFiles: [] };
  }
  return parseSshConfig(text, host);
}

export function parseSshConfig(text: string, host: string): SshHostConfig {
  const cfg: SshHostConfig = { identityFiles: [] };
  let active = true; // lines before the first Host apply to every host
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase();
    const args = splitArgs(m[2]);
    if (key === 'host') {
      active = matchPatternList(
        args.flatMap((a) => a.split(',')),
        host,
      );
      continue;
    }
    if (key === 'match') {
      active = false;
      continue;
    }
    if (!active || args.length === 0) continue;
    const v = args[0];
    switch (key) {
      case 'hostname':
        cfg.hostName ??= v;
        break;
      case 'user':
        cfg.user ??= v;
        break;
      case 'port':
        if (cfg.port === undefined && /^\d+$/.test(v)) cfg.port = Number(v);
        break;
      case 'identityfile':
        if (v.toLowerCase() !== 'none') cfg.identityFiles.push(v);
        break;
      case 'identitiesonly':
        cfg.identitiesOnly ??= v.toLowerCase() === 'yes';
        break;
      case 'userknownhostsfile':
        cfg.userKnownHostsFiles ??= args.filter((a) => a.toLowerCase() !== 'none');
        break;
      case 'connecttimeout':
        if (cfg.connectTimeoutSec === undefined && /^\d+$/.test(v)) cfg.connectTimeoutSec = Number(v);
        break;
    }
  }
  return cfg;
}

/** Expands `~` and the `%` tokens OpenSSH allows in IdentityFile / UserKnownHostsFile. */
export function expandSshPath(p: string, tokens: { host: string; user: string }, home = os.homedir()): string {
  let s = p.startsWith('~/') || p === '~' ? home + p.slice(1) : p;
  s = s.replace(/%([%dhur])/g, (_, t: string) =>
    t === '%' ? '%' : t === 'd' ? home : t === 'h' ? tokens.host : t === 'r' ? tokens.user : os.userInfo().username,
  );
  return path.resolve(home, s);
}

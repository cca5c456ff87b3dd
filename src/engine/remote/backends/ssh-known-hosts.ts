/**
 * Host key verification against OpenSSH known_hosts files: plain, wildcard, negated and hashed
 * (`|1|salt|hmac`) host fields, `[host]:port` for non-default ports, `@revoked` lines (`@cert-authority`
 * lines are ignored: certificates are not supported). The verdict says whether the key the server offered
 * is known, unknown (no line for this host and key type) or changed (a line for this host and key type
 * holds another key), so the error can say which and what to do. Keys are compared as the wire-format
 * blobs; only their SHA256 fingerprints (public) ever reach a message.
 * Owns: parsing known_hosts and the verdict. Does not own: the connection (ssh-session.ts).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { matchPatternList } from './ssh-config.js';

export interface KnownKey {
  type: string;
  key: Buffer;
  file: string;
  line: number;
  revoked: boolean;
}

export type HostKeyVerdict =
  | { status: 'known' }
  | { status: 'unknown'; otherTypes: string[] }
  | { status: 'changed'; file: string; line: number }
  | { status: 'revoked'; file: string; line: number };

/** How known_hosts names `host` at `port`. */
export function hostField(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function hostMatches(field: string, name: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (salt === undefined || hash === undefined) return false;
    return crypto.createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return matchPatternList(field.split(','), name);
}

/** Every key line of `files` that names `host`:`port`. Absent files are skipped. */
export function knownKeysFor(files: readonly string[], host: string, port: number): KnownKey[] {
  const name = hostField(host, port);
  const out: KnownKey[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    text.split(/\r?\n/).forEach((raw, i) => {
      const parts = raw.trim().split(/\s+/);
      if (parts[0] === undefined || parts[0] === '' || parts[0].startsWith('#')) return;
      let revoked = false;
      if (parts[0].startsWith('@')) {
        if (parts[0] === '@cert-authority') return;
        revoked = parts[0] === '@revoked';
        parts.shift();
      }
      const [hosts, type, b64] = parts;
      if (hosts === undefined || type === undefined || b64 === undefined || !hostMatches(hosts, name)) return;
      out.push({ type, key: Buffer.from(b64, 'base64'), file, line: i + 1, revoked });
    });
  }
  return out;
}

/** The key type named inside a wire-format public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, ...). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

export function verdictFor(known: readonly KnownKey[], offered: Buffer): HostKeyVerdict {
  const revoked = known.find((k) => k.revoked && k.key.equals(offered));
  if (revoked) return { status: 'revoked', file: revoked.file, line: revoked.line };
  const live = known.filter((k) => !k.revoked);
  if (live.some((k) => k.key.equals(offered))) return { status: 'known' };
  const type = blobType(offered);
  const sameType = live.find((k) => k.type === type);
  if (sameType) return { status: 'changed', file: sameType.file, line: sameType.line };
  return { status: 'unknown', otherTypes: [...new Set(live.map((k) => k.type))] };
}

/**
 * Host key algorithms to offer, the types known for this host first: a server with several host keys
 * then shows the one we can check (as OpenSSH does), instead of a type we have no line for.
 */
export function preferredHostKeyAlgorithms(known: readonly KnownKey[], all: readonly string[]): string[] {
  const want = new Set<string>();
  for (const k of known) {
    if (k.revoked) continue;
    if (k.type === 'ssh-rsa') ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'].forEach((t) => want.add(t));
    else want.add(k.type);
  }
  const first = all.filter((a) => want.has(a));
  return [...first, ...all.filter((a) => !want.has(a))];
}

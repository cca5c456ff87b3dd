// Remote URLs and the project config (.xpipe/config.yaml + config.local.yaml): parsing, merging,
// validation with file:line diagnostics, and that no credential can be stored.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRemoteUrl } from '../../src/engine/remote/remote-url.js';
import { loadProjectConfig, resolveRemote } from '../../src/engine/config/project-config.js';
import { addRemote, modifyRemote, removeRemote, setDefaultRemote } from '../../src/engine/config/config-edit.js';

describe('remote URLs', () => {
  it('parses paths, file://, ssh:// and s3:// URLs', () => {
    expect(parseRemoteUrl('../shared-cache', '/p/proj')).toEqual({
      ok: true,
      value: { kind: 'local', path: '/p/shared-cache' },
    });
    expect(parseRemoteUrl('file:///mnt/nas/x%20y', '/p')).toEqual({
      ok: true,
      value: { kind: 'local', path: '/mnt/nas/x y' },
    });
    expect(parseRemoteUrl('ssh://me@gpu1.example:2222/srv/xpipe', '/p')).toEqual({
      ok: true,
      value: { kind: 'ssh', host: 'gpu1.example', user: 'me', port: 2222, path: '/srv/xpipe' },
    });
    expect(parseRemoteUrl('ssh://gpu1/srv', '/p')).toEqual({
      ok: true,
      value: { kind: 'ssh', host: 'gpu1', path: '/srv' },
    });
    expect(parseRemoteUrl('s3://my-bucket/team/xpipe/', '/p')).toEqual({
      ok: true,
      value: { kind: 's3', bucket: 'my-bucket', prefix: 'team/xpipe' },
    });
    expect(parseRemoteUrl('s3://my-bucket', '/p')).toEqual({
      ok: true,
      value: { kind: 's3', bucket: 'my-bucket', prefix: '' },
    });
  });

  it('rejects what cannot work, saying why', () => {
    const e = (u: string) => {
      const r = parseRemoteUrl(u, '/p');
      return r.ok ? 'ok' : r.error;
    };
    expect(e('ssh://me:hunter2@host/srv')).toContain('contains a password');
    expect(e('ssh://host')).toContain('names no directory');
    expect(e('s3://Bad_Bucket/x')).toContain('not a valid S3 bucket name');
    expect(e('gs://bucket/x')).toContain('scheme "gs://" is not supported');
    expect(e('file://otherhost/x')).toContain('name no host');
  });
});

let dir: string;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));
function project(files: Record<string, string> = {}): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-config-'));
  for (const [f, t] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), t);
  }
  return dir;
}

describe('project config', () => {
  it('merges config.local.yaml over config.yaml key by key', () => {
    const root = project({
      '.xpipe/config.yaml':
        'core:\n  remote: store\nremote:\n  store:\n    url: s3://team-bucket/x\n    endpoint: http://127.0.0.1:9000\n    jobs: 8\n',
      '.xpipe/config.local.yaml': 'remote:\n  store:\n    profile: me\n    jobs: 2\n',
    });
    const c = loadProjectConfig(root);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    const r = resolveRemote(c.value);
    expect(r.ok && r.value.settings).toEqual({
      url: 's3://team-bucket/x',
      endpoint: 'http://127.0.0.1:9000',
      jobs: 2,
      profile: 'me',
    });
  });

  it('points at the line of a bad setting, and refuses secrets', () => {
    const root = project({
      '.xpipe/config.yaml': 'remote:\n  store:\n    url: s3://b-1/x\n    secret_access_key: abc\n    jobs: many\n',
    });
    const c = loadProjectConfig(root);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.error.map((d) => [d.code, d.location?.line])).toEqual([
      ['secret-in-config', 4],
      ['wrong-type', 5],
    ]);
    expect(c.error[0]?.message).toContain('never writes credentials');
    expect(JSON.stringify(c.error)).not.toContain('abc"'); // the secret value itself is not echoed
  });

  it('says how to configure a remote when none or an unknown one is asked for', () => {
    const root = project();
    const c = loadProjectConfig(root);
    if (!c.ok) throw new Error('empty config must load');
    const none = resolveRemote(c.value);
    expect(!none.ok && none.error.message).toContain('xpipe remote add -d NAME URL');
    const unknown = resolveRemote(c.value, 'origin');
    expect(!unknown.ok && unknown.error.message).toContain('Unknown remote "origin"');
  });

  it('edits keep comments, validate values, and --local goes to the git-ignored file', () => {
    const root = project({ '.xpipe/config.yaml': '# team settings\nremote: {}\n' });
    expect(addRemote(root, 'nas', '/mnt/nas/cache', { makeDefault: true }).ok).toBe(true);
    expect(modifyRemote(root, 'nas', 'jobs', '4').ok).toBe(true);
    const bad = modifyRemote(root, 'nas', 'password', 'x');
    expect(!bad.ok && bad.error).toContain('never writes credentials');
    expect(modifyRemote(root, 'nas', 'profile', 'me', { local: true }).ok).toBe(true);
    const shared = fs.readFileSync(path.join(root, '.xpipe/config.yaml'), 'utf8');
    expect(shared).toContain('# team settings');
    expect(shared).not.toContain('profile');
    expect(fs.readFileSync(path.join(root, '.xpipe/config.local.yaml'), 'utf8')).toContain('profile: me');
    expect(fs.readFileSync(path.join(root, '.xpipe/.gitignore'), 'utf8')).toBe('/config.local.yaml\n');
    const dup = addRemote(root, 'nas', '/elsewhere');
    expect(!dup.ok && dup.error).toContain('already exists');
    expect(setDefaultRemote(root, 'nope').ok).toBe(false);
    expect(removeRemote(root, 'nas').ok).toBe(true);
    const after = loadProjectConfig(root);
    expect(after.ok && [...after.value.remotes.keys()]).toEqual([]);
    expect(after.ok && after.value.defaultRemote).toBeUndefined();
  });
});

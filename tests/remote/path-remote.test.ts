// The path (file://) remote: the storage contract through the remote registry, the shared scenarios, and
// its errors (unknown remote, missing directory).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { keyValueStoreContract, objectStoreContract } from '../engine/object-store.contract.js';
import { openRemote } from '../../src/engine/remote/registry.js';
import { parseRemoteUrl } from '../../src/engine/remote/remote-url.js';
import type { RemoteConfig } from '../../src/engine/config/project-config.js';
import { Project } from '../helpers/project-rig.js';
import { remoteScenarioSuite } from './scenario.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-remote-'));
}

function config(url: string): RemoteConfig {
  const u = parseRemoteUrl(url, os.tmpdir());
  if (!u.ok) throw new Error(u.error);
  return { name: 'origin', url: u.value, settings: { url } };
}

objectStoreContract('path remote', async () => {
  const dir = tmp();
  const r = await openRemote(config(path.join(dir, 'remote')), dir, { create: true });
  return { store: r.objects, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
});

keyValueStoreContract('path remote (run-cache records)', async () => {
  const dir = tmp();
  const r = await openRemote(config(pathToFileURL(path.join(dir, 'remote')).href), dir, { create: true });
  return { store: r.kv, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
});

remoteScenarioSuite('path', async () => {
  const dir = tmp();
  return { url: path.join(dir, 'remote'), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
});

remoteScenarioSuite('file:// URL', async () => {
  const dir = tmp();
  fs.mkdirSync(path.join(dir, 'remote'));
  return {
    url: pathToFileURL(path.join(dir, 'remote')).href,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('path remote layout and errors', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  function project(): Project {
    const p = Project.create({
      'pipeline.yaml':
        'stages:\n  gen:\n    cmd: mkdir -p d && echo a > d/a.txt && echo one > one.txt\n    outs: [d, one.txt]\n',
    });
    cleanups.push(() => p.dispose());
    return p;
  }

  it('mirrors cache/ on the remote (ab/cdef… objects, runs/ records), so the remote can be rsynced', async () => {
    const p = project();
    const remote = path.join(p.dir, '..', `${path.basename(p.dir)}-remote`);
    cleanups.push(() => fs.rmSync(remote, { recursive: true, force: true }));
    await p.run(['repro']);
    await p.run(['remote', 'add', '-d', 'origin', remote]);
    expect((await p.run(['push', '--run-cache'])).code).toBe(0);
    const list = (root: string) =>
      fs
        .readdirSync(root, { recursive: true })
        .map(String)
        .filter((f) => /^[0-9a-f]{2}\/|^runs\//.test(f) && fs.statSync(path.join(root, f)).isFile())
        .sort();
    expect(list(remote)).toEqual(list(p.abs('cache')));
    expect(list(remote).filter((f) => f.startsWith('runs/'))).toHaveLength(1);
  });

  it('push verifies what it uploads: a corrupt object in cache/ is reported per out and never reaches the remote', async () => {
    const p = project();
    const remote = path.join(p.dir, '..', `${path.basename(p.dir)}-remote`);
    cleanups.push(() => fs.rmSync(remote, { recursive: true, force: true }));
    await p.run(['repro']);
    await p.run(['remote', 'add', '-d', 'origin', remote]);
    const lock = p.read('pipeline.lock');
    const id = /path: one\.txt\n\s+hash: ([0-9a-f]{40})/.exec(lock)?.[1] ?? '';
    const object = p.abs(`cache/${id.slice(0, 2)}/${id.slice(2)}`);
    fs.chmodSync(object, 0o644);
    fs.writeFileSync(object, 'not one\n');
    const r = await p.run(['push']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`corrupt in cache/: one.txt of stage gen (object ${id} hashes to`);
    expect(fs.existsSync(path.join(remote, id.slice(0, 2), id.slice(2)))).toBe(false);
    // The directory out was intact and went up whole.
    expect(
      fs
        .readdirSync(remote, { recursive: true })
        .map(String)
        .some((f) => f.endsWith('.dir')),
    ).toBe(true);
  });

  it('an unknown remote is a usage error (exit 2) that lists the configured ones', async () => {
    const p = project();
    await p.run(['remote', 'add', 'origin', '../somewhere']);
    const r = await p.run(['push', '-r', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown remote "nope". Configured remotes: origin.');
    const none = await project().run(['pull']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No remote is configured');
  });

  it('a missing remote directory fails in one paragraph naming the remote; push does not create it without its parent', async () => {
    const p = project();
    await p.run(['repro']);
    const missing = path.join(tmp(), 'not', 'mounted');
    cleanups.push(() => fs.rmSync(path.dirname(path.dirname(missing)), { recursive: true, force: true }));
    await p.run(['remote', 'add', '-d', 'nas', missing]);
    const pull = await p.run(['pull']);
    expect(pull.code).toBe(1);
    expect(pull.stderr).toBe(
      `error: remote "nas" (${missing}) cannot be used: the directory ${missing} does not exist. Create it (or mount the share), or point the remote elsewhere with "xpipe remote modify nas url URL". Nothing was transferred.\n`,
    );
    const push = await p.run(['push']);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain('neither');
    expect(fs.existsSync(missing)).toBe(false);
  });
});

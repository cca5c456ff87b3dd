// End-to-end (real CLI): a corrupt cache object is never restored. checkout reports it and exits 1,
// repro re-runs the stage instead of restoring (from the lock or from the run cache), cache verify lists
// it; and a SIGKILL during commit never leaves a partial object under its final name.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Project, stagesWith } from '../helpers/project-rig.js';

const PIPELINE = `stages:
  gen:
    cmd: echo gen >> counter && echo "hello $(cat p.txt)" > gen.txt
    deps: [p.txt]
    outs: [gen.txt]
`;

let project: Project;
afterEach(() => project?.dispose());

const sha1 = (s: string | Buffer) => crypto.createHash('sha1').update(s).digest('hex');

/** Overwrites the cache object of `content` in place (as a disk fault or a `chmod +w` and edit would). */
function corrupt(p: Project, content: string): string {
  const id = sha1(content);
  const rel = `cache/${id.slice(0, 2)}/${id.slice(2)}`;
  fs.chmodSync(p.abs(rel), 0o644);
  fs.writeFileSync(p.abs(rel), content.toUpperCase());
  return id;
}

/** Project paths of the objects under their final names (`cache/ab/cdef…`). */
function objectFiles(p: Project): string[] {
  return fanDirs(p).flatMap((fan) =>
    fs.readdirSync(p.abs(path.join('cache', fan))).map((rest) => `cache/${fan}/${rest}`),
  );
}

function fanDirs(p: Project): string[] {
  return p.exists('cache') ? fs.readdirSync(p.abs('cache')).filter((f) => /^[0-9a-f]{2}$/.test(f)) : [];
}

describe('a cache that verifies what it restores', () => {
  it('checkout exits 1 naming the out, quarantines the object; repro re-runs instead of restoring; cache verify lists it', async () => {
    project = Project.create({ 'pipeline.yaml': PIPELINE, 'p.txt': '1\n' });
    const p = project;
    expect((await p.run(['repro'])).code).toBe(0);

    // checkout: no way to re-run, so a non-zero exit naming the out; the object is kept in cache/.corrupt.
    let id = corrupt(p, 'hello 1\n');
    fs.rmSync(p.abs('gen.txt'));
    const co = await p.run(['checkout']);
    expect(co.code).toBe(1);
    expect(co.stderr).toContain(
      `warning: cache object cache/${id.slice(0, 2)}/${id.slice(2)} of gen.txt (stage gen) is corrupt`,
    );
    expect(co.stderr).toContain('could not restore (corrupt cache objects): gen.txt');
    expect(p.exists('gen.txt')).toBe(false);
    expect(fs.readFileSync(p.abs(`cache/.corrupt/${id}`), 'utf8')).toBe('HELLO 1\n');

    // repro after checkout: the object is gone from the cache, so the stage runs.
    const healed = await p.run(['repro', '--json']);
    expect(stagesWith(healed.events, 'ran')).toEqual(['gen']);
    expect(p.read('gen.txt')).toBe('hello 1\n');

    // repro meeting the corrupt object itself (restore from the lock): reported, then the stage runs.
    corrupt(p, 'hello 1\n');
    fs.rmSync(p.abs('gen.txt'));
    const r1 = await p.run(['repro', '--json']);
    expect(r1.events.find((e) => e['reason'] === 'corrupt-object')).toMatchObject({
      stage: 'gen',
      out: 'gen.txt',
      problem: 'corrupt',
      rerun: true,
      object: `cache/${id.slice(0, 2)}/${id.slice(2)}`,
    });
    expect({ restored: stagesWith(r1.events, 'restored-cache'), ran: stagesWith(r1.events, 'ran') }).toEqual({
      restored: [],
      ran: ['gen'],
    });
    expect(p.read('gen.txt')).toBe('hello 1\n');
    expect(p.count()).toBe(3);

    // The endless loop of the issue: back to an earlier run's inputs with its object corrupt. Not restored.
    p.write('p.txt', '2\n');
    expect((await p.run(['repro'])).code).toBe(0);
    p.write('p.txt', '1\n');
    corrupt(p, 'hello 1\n');
    const r2 = await p.run(['repro', '--json']);
    expect(stagesWith(r2.events, 'corrupt-object')).toEqual(['gen']);
    expect({ restored: stagesWith(r2.events, 'restored-run-cache'), ran: stagesWith(r2.events, 'ran') }).toEqual({
      restored: [],
      ran: ['gen'],
    });
    expect(p.read('gen.txt')).toBe('hello 1\n');
    const status = await p.run(['status', '--check']);
    expect(status.code).toBe(0);
    expect((await p.run(['repro', '--json'])).events.filter((e) => e['reason'] === 'up-to-date')).toHaveLength(1);

    // cache verify: hashes everything (no trust in the index), lists the corrupt object, exits 1; then clean.
    id = corrupt(p, 'hello 2\n');
    const v = await p.run(['cache', 'verify']);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(
      `corrupt: cache/${id.slice(0, 2)}/${id.slice(2)} (content hashes to ${sha1('HELLO 2\n')}); moved to cache/.corrupt/${id}`,
    );
    expect(v.stdout).toMatch(/verified 2 objects .*: 1 corrupt, 0 unreadable/);
    const again = await p.run(['cache', 'verify', '--json', '--jobs', '2']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ type: 'cache-verify', objects: 1, corrupt: [], unreadable: [] });
    expect((await p.run(['cache', 'verfy'])).code).toBe(2);
  });

  it('SIGKILL while committing a large out leaves no partial object under its final name', async () => {
    // One 192 MiB file: its copy into the cache is a window wide enough to land the kill inside it.
    project = Project.create({
      'pipeline.yaml': `stages:\n  big:\n    cmd: head -c 201326592 /dev/urandom > big.bin\n    outs: [big.bin]\n`,
    });
    const p = project;
    const child = p.spawn(['repro']);
    const end = Date.now() + 60_000;
    // Kill mid-commit: as soon as the object's fan-out folder exists (created just before its bytes are written).
    while (fanDirs(p).length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
    child.kill('SIGKILL');
    await child;
    // The kill landed before the commit finished: nothing was recorded.
    expect(p.exists('pipeline.lock') && p.read('pipeline.lock').includes('big:')).toBe(false);
    const v = await p.run(['cache', 'verify', '--json']);
    expect({ code: v.code, report: JSON.parse(v.stdout) }).toMatchObject({
      code: 0,
      report: { corrupt: [], unreadable: [] },
    });
    const objects = objectFiles(p);
    for (const rel of objects) expect(sha1(fs.readFileSync(p.abs(rel)))).toBe(rel.slice(6).replace('/', ''));
    expect((await p.run(['repro'])).code).toBe(0);
    expect((await p.run(['status', '--check'])).code).toBe(0);
  });
});

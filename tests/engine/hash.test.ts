// Hashing: the state index avoids re-reading unchanged files; directory hashes depend only on content
// and relative paths (never mtimes or permissions), so a fresh clone hashes identically.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PathHasher } from '../../src/engine/hash/hash-path.js';
import { StateIndex } from '../../src/engine/hash/state-index.js';
import { fileHasher, type Hasher } from '../../src/engine/hash/hash-file.js';
import { Project } from '../helpers/project-rig.js';

let project: Project;
afterEach(() => project?.dispose());

function countingHasher(): Hasher & { reads: string[] } {
  const reads: string[] = [];
  return { reads, hashFile: (p) => (reads.push(p), fileHasher.hashFile(p)) };
}

describe('state index', () => {
  it('re-reads only new or modified files across processes (persisted index)', () => {
    project = Project.create({ 'data/a.txt': 'a', 'data/b.txt': 'b', 'data/sub/c.txt': 'c' });
    const h1 = countingHasher();
    const first = new PathHasher(project.dir, StateIndex.forProject(project.dir), h1);
    const d1 = first.hash('data');
    first.save();
    expect(h1.reads.length).toBe(3);

    const h2 = countingHasher();
    const second = new PathHasher(project.dir, StateIndex.forProject(project.dir), h2);
    expect(second.hash('data')?.hash).toBe(d1?.hash);
    expect(h2.reads).toEqual([]);

    project.write('data/b.txt', 'bb');
    const h3 = countingHasher();
    const third = new PathHasher(project.dir, StateIndex.forProject(project.dir), h3);
    const d3 = third.hash('data');
    expect(h3.reads.map((r) => path.relative(project.dir, r))).toEqual([path.join('data', 'b.txt')]);
    expect(d3?.hash).not.toBe(d1?.hash);
    expect(d3).toMatchObject({ size: 4, nfiles: 3 });
  });

  it('answers an unchanged directory from its stat signature, and builds a manifest without re-reading', () => {
    project = Project.create({ 'd/a.txt': 'a', 'd/b.txt': 'b' });
    const first = new PathHasher(project.dir);
    const h = first.hash('d', { needManifest: true });
    first.save();
    const counting = countingHasher();
    const second = new PathHasher(project.dir, StateIndex.forProject(project.dir), counting);
    expect(second.hash('d')).toEqual({ hash: h?.hash, size: 2, nfiles: 2 });
    expect(second.hash('d', { needManifest: true })?.manifest?.map((e) => e.p)).toEqual(['a.txt', 'b.txt']);
    fs.utimesSync(project.abs('d/a.txt'), new Date(2030, 1, 1), new Date(2030, 1, 1));
    const third = new PathHasher(project.dir, StateIndex.forProject(project.dir), counting);
    expect(third.hash('d')?.hash).toBe(h?.hash);
    expect(counting.reads.map((r) => path.basename(r))).toEqual(['a.txt']);
  });

  it('directory hash ignores mtimes, permissions and inodes but not names', () => {
    project = Project.create({
      'x/a.txt': 'a',
      'x/s/b.txt': 'b',
      'y/s/b.txt': 'b',
      'y/a.txt': 'a',
      'z/A.txt': 'a',
      'z/s/b.txt': 'b',
    });
    fs.utimesSync(project.abs('y/a.txt'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    fs.chmodSync(project.abs('y/a.txt'), 0o600);
    const h = new PathHasher(project.dir, new StateIndex(project.abs('.idx')));
    expect(h.hash('y')?.hash).toBe(h.hash('x')?.hash);
    expect(h.hash('z')?.hash).not.toBe(h.hash('x')?.hash);
    expect(h.hash('x')?.hash).toMatch(/^[0-9a-f]{40}\.dir$/);
    expect(h.hash('missing')).toBeUndefined();
  });
});

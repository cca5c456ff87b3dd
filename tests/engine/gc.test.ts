// `gc` on an opened project (maintenance.ts + cache/gc.ts): what stays is what pipeline.lock, stored
// experiments and the kept runs reference (directory outs with every file); the lock is re-read under the
// mutex; --scratch and --dry; a busy project. End-to-end: tests/cli/gc.e2e.test.ts, tests/exp/gc-keeps-exps.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gc } from '../../src/engine/maintenance.js';
import { repro } from '../../src/engine/repro.js';
import { acquireProjectMutex } from '../../src/engine/project-mutex.js';
import { saveExp, type ExpRecord } from '../../src/engine/exp/exp-store.js';
import type { LockedOut, LockFile } from '../../src/engine/lock/lockfile.js';
import type { Project } from '../../src/engine/project.js';
import { TempProject, TestRunner } from './engine-rig.js';

const PIPELINE = `stages:
  train:
    cmd: train
    params: [lr]
    outs: [model.txt, weights]
`;

/** Writes model.txt and a weights/ directory: one file that depends on lr, one that never changes. */
function trainRunner(tp: TempProject): TestRunner {
  return new TestRunner({
    train: (req) => {
      const lr = String(req.params['lr']);
      fs.writeFileSync(tp.abs('model.txt'), `model lr=${lr}\n`);
      fs.mkdirSync(tp.abs('weights'), { recursive: true });
      fs.writeFileSync(tp.abs('weights/w.bin'), `weights lr=${lr}\n`);
      fs.writeFileSync(tp.abs('weights/common.bin'), 'the same every run\n');
      return { ok: true };
    },
  });
}

async function train(tp: TempProject, lr: number): Promise<Project> {
  tp.write('params.yaml', `lr: ${lr}\n`);
  const project = tp.open(trainRunner(tp));
  const r = await repro(project, { jobs: 1 });
  if (!r.ok || r.value.failed.length > 0) throw new Error(`repro failed: ${JSON.stringify(r)}`);
  return project;
}

/** Every object id an out needs: the out itself and, for a directory, the files its manifest lists. */
async function closure(project: Project, outs: readonly LockedOut[]): Promise<string[]> {
  const ids: string[] = [];
  for (const o of outs) ids.push(...((await project.store.closure(o.hash)) ?? [o.hash]));
  return ids;
}

async function present(project: Project, ids: readonly string[]): Promise<boolean[]> {
  return Promise.all(ids.map((id) => project.store.has(id as LockedOut['hash'])));
}

function storeExp(tp: TempProject, name: string, lock: LockFile): void {
  // Only what gc reads of a record: its schema and its lock.
  const record = { schema: 'xpipe-exp/1', name, lock, files: [], startedAt: new Date().toISOString() };
  saveExp(tp.root, record as unknown as ExpRecord, tp.root);
}

describe('gc', () => {
  it('keeps what pipeline.lock, stored experiments and the newest runs reference; removes the rest', async () => {
    using tp = new TempProject({ 'pipeline.yaml': PIPELINE });
    const one = await train(tp, 1);
    const oneIds = await closure(one, one.lock.stages['train']?.outs ?? []);
    const two = await train(tp, 2);
    const twoIds = await closure(two, two.lock.stages['train']?.outs ?? []);
    storeExp(tp, 'two', two.lock);
    const three = await train(tp, 3);
    const threeIds = await closure(three, three.lock.stages['train']?.outs ?? []);
    // model.txt, the manifest, w.bin per run, and common.bin shared by all three.
    expect(new Set([...oneIds, ...twoIds, ...threeIds]).size).toBe(10);

    const project = tp.open(trainRunner(tp));
    const r = await gc(project, { keepRuns: 1 });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(r.value).toMatchObject({ removedObjects: 3, keptObjects: 7, removedScratch: [] });
    expect(r.value.removedRuns).toHaveLength(2);
    expect(await present(project, threeIds)).toEqual(threeIds.map(() => true));
    expect(await present(project, twoIds)).toEqual(twoIds.map(() => true));
    const common = oneIds.filter((id) => twoIds.includes(id));
    expect(common).toHaveLength(1);
    expect(await present(project, oneIds)).toEqual(oneIds.map((id) => id === common[0]));
    expect([...((await project.runCache.all()).get('train') ?? [])]).toHaveLength(1);
  });

  it('re-reads pipeline.lock under the mutex: outs committed after the project was opened are kept', async () => {
    using tp = new TempProject({ 'pipeline.yaml': PIPELINE });
    await train(tp, 1);
    const opened = tp.open(trainRunner(tp));
    // Another command commits a new run while `opened` still holds the old lock in memory.
    const later = await train(tp, 2);
    const laterIds = await closure(later, later.lock.stages['train']?.outs ?? []);
    const r = await gc(opened, { keepRuns: 0 });
    expect(r.ok).toBe(true);
    expect(await present(later, laterIds)).toEqual(laterIds.map(() => true));
  });

  it('--scratch clears the stages’ scratch directories (only listed with --dry); without it they stay', async () => {
    using tp = new TempProject({ 'pipeline.yaml': PIPELINE });
    const project = await train(tp, 1);
    tp.write('.xpipe/scratch/train/checkpoint.bin', 'ckpt');
    tp.write('.xpipe/scratch/other%40x/cache.bin', 'c');
    const plain = await gc(project);
    expect(plain.ok && plain.value.removedScratch).toEqual([]);
    const dry = await gc(project, { scratch: true, dry: true });
    expect(dry.ok && dry.value.removedScratch.sort()).toEqual(['.xpipe/scratch/other%40x', '.xpipe/scratch/train']);
    expect(tp.exists('.xpipe/scratch/train/checkpoint.bin')).toBe(true);
    const real = await gc(project, { scratch: true });
    expect(real.ok && real.value.removedScratch).toHaveLength(2);
    expect(tp.exists('.xpipe/scratch')).toBe(false);
    // The lock's outs are untouched by all of it.
    const ids = await closure(project, project.lock.stages['train']?.outs ?? []);
    expect(await present(project, ids)).toEqual(ids.map(() => true));
  });

  it('refuses to collect while another command holds the project (--no-wait), removing nothing', async () => {
    using tp = new TempProject({ 'pipeline.yaml': PIPELINE });
    await train(tp, 1);
    await train(tp, 2);
    const project = tp.open(trainRunner(tp));
    const held = await acquireProjectMutex(tp.root, { wait: false });
    try {
      expect(await gc(project, { keepRuns: 0, wait: false })).toEqual({
        ok: false,
        error: { kind: 'busy', pid: process.pid },
      });
      expect([...((await project.runCache.all()).get('train') ?? [])]).toHaveLength(2);
    } finally {
      if (held.ok) held.mutex.release();
    }
  });
});

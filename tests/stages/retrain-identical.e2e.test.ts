// E2E: "byte-identical retraining". The real pipeline (synth → split → preprocess → train, tiny params)
// runs in two separate copies of the project, each through the built CLI and the real engine (every
// stage in its own child process); the two trained models must be the same bytes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, XPIPE_BIN } from '../helpers/project-rig.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** params.yaml of the repository, shrunk: 24 patients at 48 px, 32 px inputs, 2 epochs. */
function tinyParams(text: string): string {
  return text
    .replace(/^(\s+patients:) \d+/m, '$1 24')
    .replace(/^(synth:[\s\S]*?\n\s+size:) \d+/m, '$1 48')
    .replace(/^(preprocess:[\s\S]*?\n\s+size:) \d+/m, '$1 32')
    .replace(/^(train:[\s\S]*?\n\s+epochs:) \d+/m, '$1 2')
    .replace(/^(\s+warmup_epochs:) \d+/m, '$1 0');
}

async function trainInFreshCopy(): Promise<{ files: Record<string, string>; locked: unknown }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-retrain-'));
  dirs.push(dir);
  for (const f of ['pipeline.yaml', 'stages', 'src'])
    fs.cpSync(path.join(REPO_ROOT, f), path.join(dir, f), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'params.yaml'),
    tinyParams(fs.readFileSync(path.join(REPO_ROOT, 'params.yaml'), 'utf8')),
  );
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // the native kernels too (src/ml/runtime/onednn/addon.ts finds them beside src/): the stages copied here and
  // the repository's CLI must run the same kernels, or their floats differ in the last bits
  fs.symlinkSync(path.join(REPO_ROOT, 'native'), path.join(dir, 'native'), 'dir');
  // pin the backend: the same bytes are promised for the same backend, not across backends
  const r = await execa(process.execPath, [XPIPE_BIN, 'repro', 'train'], {
    cwd: dir,
    reject: false,
    env: { XPIPE_TF_BACKEND: 'wasm', XPIPE_WASM_THREADS: '1' },
  });
  if (r.exitCode !== 0) throw new Error(`repro failed:\n${String(r.stdout)}\n${String(r.stderr)}`);
  const modelDir = path.join(dir, 'models/model');
  const files = Object.fromEntries(
    fs
      .readdirSync(modelDir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(fs.readFileSync(path.join(modelDir, f)))
          .digest('hex'),
      ]),
  );
  const lock = fs.readFileSync(path.join(dir, 'pipeline.lock'), 'utf8');
  const locked = lock.match(/path: models\/model\n\s+hash: (\S+)/)?.[1];
  return { files, locked };
}

describe('retraining', () => {
  it('gives byte-identical model files in two separate runs', async () => {
    const [a, b] = await Promise.all([trainInFreshCopy(), trainInFreshCopy()]);
    expect(Object.keys(a.files)).toEqual(expect.arrayContaining(['model.json']));
    expect(Object.keys(a.files).length).toBeGreaterThanOrEqual(2);
    expect(b.files).toEqual(a.files);
    expect(a.locked).toBeTruthy();
    expect(b.locked).toBe(a.locked);
  }, 180_000);
});

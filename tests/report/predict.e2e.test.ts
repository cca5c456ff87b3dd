// E2E: `xpipe predict` on the synthetic test images reproduces the evaluate stage's probabilities exactly.
// Runs the real chest X-ray pipeline (up to evaluate) with tiny params in a temp copy of the project.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { REPO_ROOT, XPIPE_BIN } from '../helpers/project-rig.js';

let dir: string;
const xpipe = (...args: string[]) => execa(process.execPath, [XPIPE_BIN, ...args], { cwd: dir, reject: false });

/** params.yaml of the repository, shrunk so the pipeline runs in seconds. */
function tinyParams(text: string): string {
  return text
    .replace(/^(\s+patients:) \d+/m, '$1 24')
    .replace(/^(synth:[\s\S]*?\n\s+size:) \d+/m, '$1 48')
    .replace(/^(preprocess:[\s\S]*?\n\s+size:) \d+/m, '$1 32')
    .replace(/^(train:[\s\S]*?\n\s+epochs:) \d+/m, '$1 1')
    .replace(/^(\s+warmup_epochs:) \d+/m, '$1 0')
    .replace(/^(\s+bootstrap:) \d+/m, '$1 5');
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-predict-'));
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
  const r = await xpipe('repro', 'evaluate');
  if (r.exitCode !== 0) throw new Error(`repro failed:\n${String(r.stdout)}\n${String(r.stderr)}`);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('predict', () => {
  it('gives the evaluate stage probabilities exactly, and a per-file error for a bad image', async () => {
    const csv = fs.readFileSync(path.join(dir, 'reports/predictions.csv'), 'utf8').trim().split('\n');
    const labels = csv[0].split(',').slice(1);
    const expected = new Map(
      csv.slice(1).map((line) => {
        const [id, ...values] = line.split(',');
        return [id, values.map(Number)] as const;
      }),
    );
    const files = [...expected.keys()].map((id) => `data/raw/images/${id}`);
    fs.writeFileSync(path.join(dir, 'broken.png'), 'not an image');
    const r = await xpipe('predict', ...files, 'broken.png', '--json');
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/^error: cannot decode broken\.png: /m);
    const out = JSON.parse(String(r.stdout)) as {
      labels: string[];
      images: Array<{ file: string; probabilities?: Record<string, number>; error?: string }>;
    };
    expect(out.labels).toEqual(labels);
    expect(out.images).toHaveLength(files.length + 1);
    for (const img of out.images.slice(0, -1)) {
      const want = expected.get(path.basename(img.file))!;
      expect(labels.map((l) => img.probabilities![l])).toEqual(want);
    }
    expect(out.images.at(-1)!.error).toBeDefined();
  });
});

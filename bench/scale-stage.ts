/**
 * One stage of the scale bench in its own process (started by bench/scale.ts, which reads the JSON line
 * this prints): runs the stage module of the checkout it lives in on a bench project, then reports wall
 * time, CPU time (all threads) and this process's peak RSS (`process.resourceUsage().maxRSS`). The same
 * file is copied into the baseline checkout, so both code versions run under identical conditions.
 *
 *   npx tsx bench/scale-stage.ts <synth|split|preprocess|train> <project root> [--train-images K]
 *
 * `--train-images K` stops training after K images (the whole epoch when omitted): it aborts through the
 * stage's signal, as Ctrl-C would, so the figures cover data loading plus K images of training.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { makeTestContext } from '../tests/helpers/stage-context.js';

const [stage, root, ...rest] = process.argv.slice(2);
const k = rest.indexOf('--train-images');
const trainImages = k >= 0 ? Number(rest[k + 1]) : Infinity;
const params = parse(readFileSync(path.join(root, 'params.yaml'), 'utf8')) as Record<string, unknown>;
const DECL: Record<string, { deps: string[]; outs: string[]; metrics?: string[]; plots?: string[] }> = {
  synth: { deps: [], outs: ['data/raw'] },
  split: { deps: ['data/raw'], outs: ['data/split'] },
  preprocess: { deps: ['data/split', 'data/raw'], outs: ['data/preprocessed'] },
  train: {
    deps: ['data/preprocessed'],
    outs: ['models/model'],
    metrics: ['metrics/train.json'],
    plots: ['plots/train_history.csv'],
  },
};
const decl = DECL[stage];
if (!decl || !root) throw new Error('usage: scale-stage.ts <split|preprocess|train> <root> [--train-images K]');

const controller = new AbortController();
let images = 0;
const ctx = {
  ...makeTestContext({ root, params, name: stage, ...decl }),
  signal: controller.signal,
  progress: {
    start() {},
    update() {},
    done() {},
    tick(n = 1) {
      images += n;
      if (stage === 'train' && images >= trainImages) controller.abort();
    },
  },
};
// xpipe-dynamic-import: the stage module under test (bench only)
const mod = (await import(`../stages/${stage}.ts`)) as { default: { run(c: typeof ctx): Promise<void> } };
const t0 = performance.now();
const c0 = process.cpuUsage(); // all threads of this process, so the worker pool's too
let stopped = false;
try {
  await mod.default.run(ctx);
} catch (e) {
  if (!controller.signal.aborted) throw e;
  stopped = true;
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(c0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ stage, seconds, cpuSeconds, images, stopped, maxRssMb }));

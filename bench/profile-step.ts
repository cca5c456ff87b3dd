/**
 * Per-kernel profile of one training step (run by hand, not a test):
 *
 *   npx tsx bench/profile-step.ts [--threads N] [--steps N] [--arch chestnet_s|resnet18]
 *
 * Builds ChestNetS at 64×64 and ResNet-18 at 128×128 (batch 32, Adam, synthetic data, as
 * bench/train-throughput.ts), warms up 2 steps, then profiles `--steps` steps (default 3) with
 * `tf.profile` on the wasm backend and prints, per kernel name, the summed time per step, its share of the
 * step, the calls per step and the top input shapes (op scopes, which contain kernels, are left out). `other` = step wall time − the kernels' time (tfjs's
 * JS bookkeeping: tape, gradient functions, disposal). Markdown on stdout, for bench/results/runtime.md.
 */
import * as tf from '@tensorflow/tfjs';
import { syntheticTraining } from './synthetic-training.js';
import type { Arch } from '../src/ml/models/index.js';
import { initRuntime } from '../src/ml/runtime/index.js';

const BATCH = 32;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function profileModel(arch: Arch, size: number, steps: number): Promise<string[]> {
  const training = syntheticTraining(arch, size, BATCH);
  const step = (): void => {
    const loss = training.minimize();
    loss.dataSync();
    loss.dispose();
  };
  step();
  step();
  const plain: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    step();
    plain.push(performance.now() - t);
  }
  const byName = new Map<string, { ms: number; calls: number; shapes: Map<string, number> }>();
  let wall = 0;
  for (let i = 0; i < steps; i++) {
    const t = performance.now();
    const info = await tf.profile(step);
    wall += performance.now() - t;
    for (const k of info.kernels) {
      // op scopes (`fusedConv2d__op`, custom gradients) are listed too and contain kernels: count kernels only
      if (tf.getKernel(k.name, 'wasm') === undefined) continue;
      const ms = await k.kernelTimeMs;
      const entry = byName.get(k.name) ?? { ms: 0, calls: 0, shapes: new Map() };
      entry.ms += typeof ms === 'number' ? ms : 0;
      entry.calls++;
      const key = JSON.stringify(k.inputShapes);
      entry.shapes.set(key, (entry.shapes.get(key) ?? 0) + (typeof ms === 'number' ? ms : 0));
      byName.set(k.name, entry);
    }
  }
  const stepMs = plain.sort((a, b) => a - b)[Math.floor(plain.length / 2)];
  const kernelMs = [...byName.values()].reduce((s, e) => s + e.ms, 0) / steps;
  const rows = [...byName.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const out = [
    `### ${arch} ${size}×${size}, batch ${BATCH}: step ${stepMs.toFixed(0)} ms unprofiled (median of ${steps}), ${((BATCH * 1000) / stepMs).toFixed(1)} img/s; kernels ${kernelMs.toFixed(0)} ms/step, profiled wall ${(wall / steps).toFixed(0)} ms/step`,
    '',
    '| kernel | ms/step | share of kernel time | calls/step | heaviest input shapes (ms/step) |',
    '|---|---|---|---|---|',
  ];
  for (const [name, e] of rows.slice(0, 18)) {
    const shapes = [...e.shapes.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 2)
      .map(([s, ms]) => `${s} ${(ms / steps).toFixed(1)}`)
      .join('; ');
    out.push(
      `| ${name} | ${(e.ms / steps).toFixed(1)} | ${((100 * e.ms) / steps / kernelMs).toFixed(1)}% | ${e.calls / steps} | ${shapes} |`,
    );
  }
  const rest = rows.slice(18).reduce((s, [, e]) => s + e.ms, 0) / steps;
  out.push(
    `| (${Math.max(0, rows.length - 18)} other kernels) | ${rest.toFixed(1)} | ${((100 * rest) / kernelMs).toFixed(1)}% | | |`,
  );
  out.push(`| *JS outside kernels (step − kernels, profiled)* | ${(wall / steps - kernelMs).toFixed(1)} | | | |`);
  out.push('');
  training.dispose();
  return out;
}

const threads = Number(arg('--threads') ?? '1');
const steps = Number(arg('--steps') ?? '3');
const only = arg('--arch');
const info = await initRuntime({ backend: 'wasm', threads });
console.log(`wasm, ${info.threads} thread(s); ${new Date().toISOString()}\n`);
const models: [Arch, number][] = [
  ['chestnet_s', 64],
  ['resnet18', 128],
];
for (const [arch, size] of models) {
  if (only !== undefined && only !== arch) continue;
  console.log((await profileModel(arch, size, steps)).join('\n'));
}

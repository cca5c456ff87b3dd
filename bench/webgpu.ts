/**
 * WebGPU: which adapter Dawn finds on this machine, and training / inference throughput on it (run by hand,
 * not a test):
 *
 *   npx tsx bench/webgpu.ts --adapter            # only the adapter: vendor, architecture, device, description
 *   npx tsx bench/webgpu.ts [--arch chestnet_s|resnet18|...] [--size 64] [--steps 8] [--batch 32]
 *
 * Trains the model with Adam on synthetic data (2 warm-up steps, which compile the shaders, then --steps
 * timed steps) and runs inference on as many batches; prints images/s from the median step. The machine this
 * project is developed on has no GPU: there the adapter is Mesa's software Vulkan driver (lavapipe), whose
 * figures say nothing about GPU speed. A user with a GPU: please report the whole output.
 */
import * as tf from '@tensorflow/tfjs';
import { syntheticTraining } from './synthetic-training.js';
import { ARCHS, type Arch } from '../src/ml/models/index.js';
import { initRuntime } from '../src/ml/runtime/index.js';
import { findAdapter, formatAdapter } from '../src/ml/runtime/webgpu.js';

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timed(f: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const found = await findAdapter();
  if (!found.ok) {
    process.stdout.write(`webgpu: no adapter: ${found.reason}\n`);
    return 1;
  }
  process.stdout.write(`webgpu adapter: ${formatAdapter(found.adapter)}\n`);
  if (args.includes('--adapter')) return 0;

  const arch = option(args, '--arch', 'chestnet_s') as Arch;
  if (!(ARCHS as readonly string[]).includes(arch)) throw new Error(`--arch: expected one of ${ARCHS.join(', ')}`);
  const size = Number(option(args, '--size', arch === 'chestnet_s' ? '64' : '128'));
  const steps = Number(option(args, '--steps', '8'));
  const batch = Number(option(args, '--batch', '32'));
  await initRuntime({ backend: 'webgpu' });
  const { model, x, minimize } = syntheticTraining(arch, size, batch);
  // Reads the loss back each step (async: webgpu has no synchronous download in Node), so a step's time
  // includes the GPU work, not only its submission.
  const step = async (): Promise<void> => {
    const loss = minimize();
    await loss.data();
    loss.dispose();
  };
  const warmup = [await timed(step), await timed(step)];
  const stepMs: number[] = [];
  for (let i = 0; i < steps; i++) stepMs.push(await timed(step));
  const infer = async (): Promise<void> => {
    const p = model.predict(x) as tf.Tensor;
    await p.data();
    p.dispose();
  };
  await infer();
  const inferMs: number[] = [];
  for (let i = 0; i < steps; i++) inferMs.push(await timed(infer));
  const line = (label: string, ms: number[]): string =>
    `${label}: ${((batch * 1000) / median(ms)).toFixed(1)} img/s (median of ${ms.length} batches of ${batch}, ${median(ms).toFixed(0)} ms/batch)`;
  process.stdout.write(`model: ${arch} ${size}x${size}, batch ${batch}, Adam\n`);
  process.stdout.write(
    `first two steps (shader compilation): ${warmup.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}\n`,
  );
  process.stdout.write(`${line('train', stepMs)}\n${line('inference', inferMs)}\n`);
  if (found.adapter.software) {
    process.stdout.write(
      'note: software adapter (the CPU emulates the GPU): these figures say nothing about GPU speed\n',
    );
  }
  return 0;
}

process.exitCode = await main();

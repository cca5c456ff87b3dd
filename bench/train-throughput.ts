/**
 * Training / inference throughput of the TF.js runtime (run by hand, not a test):
 *
 *   npx tsx bench/train-throughput.ts [--write] [--rounds N] [--quick | --full] [--cpu]
 *   npx tsx bench/train-throughput.ts --vs-torch [--threads N|auto] [--rounds N] [--quick | --full] [--write]
 *
 * For each available backend configuration (wasm with 1 and 2 XNNPACK threads, `tensorflow` when
 * @tensorflow/tfjs-node(-gpu) is installed, `cpu` with --cpu: far too slow to train), and for
 * ChestNetS at 64×64 and ResNet-18 at 128×128, batch 32: trains with Adam on synthetic data (2 warm-up
 * steps, then 256 images; ResNet-18 64 unless --full) and runs inference on as many, reporting images/s
 * from the MEDIAN batch time, and images per CPU-second. Each (configuration, model) runs in its own child process (a process has one backend), and the
 * configurations are interleaved in rounds so that load from other users hits them alike; compare
 * configurations as ratios within one run. `--write` writes bench/results/runtime.md.
 *
 * `--vs-torch`: xpipe (wasm, `--threads`, default `auto` as the pipeline resolves it) against PyTorch CPU
 * (bench/torch_reference.py: same architectures, batch and optimizer, 2 threads) alternating A B A B in
 * one run, and a ratio column; `--write` writes bench/results/throughput-vs-torch-<date>.md (vs-torch.ts).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { syntheticTraining } from './synthetic-training.js';
import type { Arch } from '../src/ml/models/index.js';
import { initRuntime, type BackendRequest, type KernelsRequest } from '../src/ml/runtime/index.js';
import { loadOnednn } from '../src/ml/runtime/onednn/addon.js';
import { vsTorch } from './vs-torch.js';

export interface Job {
  backend: BackendRequest;
  threads: number | 'auto';
  /** wasm: whose kernels run convolutions and matmuls (default `auto`). */
  kernels?: KernelsRequest;
  arch: Arch;
  size: number;
  images: number;
}
export interface Measure {
  job: Job;
  backend: string;
  trainImgS: number;
  trainImgCpuS: number;
  inferImgS: number;
  stepMs: number[];
}

export const BATCH = 32;
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Child: measures one job and prints one JSON line. */
async function worker(job: Job): Promise<void> {
  const info = await initRuntime({ backend: job.backend, threads: job.threads, kernels: job.kernels ?? 'auto' });
  const { model, x, minimize } = syntheticTraining(job.arch, job.size, BATCH);
  const step = (): void => {
    const loss = minimize();
    loss.dataSync();
    loss.dispose();
  };
  const timeIt = (f: () => void): number => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  const steps = Math.ceil(job.images / BATCH);
  for (let i = 0; i < 2; i++) step();
  const cpuMs: number[] = [];
  const stepMs = Array.from({ length: steps }, () => {
    const c0 = process.cpuUsage();
    const ms = timeIt(step);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    return ms;
  });
  const infer = (): void => {
    const p = model.predict(x) as tf.Tensor;
    p.dataSync();
    p.dispose();
  };
  infer();
  const inferMs = Array.from({ length: steps }, () => timeIt(infer));
  const out: Measure = {
    job,
    backend: `${info.backend}${info.kernels === 'onednn' ? '+oneDNN' : ''}${info.threads ? ` ×${info.threads}` : ''}`,
    trainImgS: (BATCH * 1000) / median(stepMs),
    trainImgCpuS: (BATCH * 1000) / median(cpuMs),
    inferImgS: (BATCH * 1000) / median(inferMs),
    stepMs,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function installed(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/** Runs one job in a child process (a process has one backend) and returns its measure. */
function runJob(job: Job): Measure {
  const self = fileURLToPath(import.meta.url);
  const line = execFileSync(process.execPath, ['--import', 'tsx', self, '--job', JSON.stringify(job)], {
    encoding: 'utf8',
    env: { ...process.env, XPIPE_TF_BACKEND: '', XPIPE_WASM_THREADS: '', XPIPE_KERNELS: '' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(line.trim().split('\n').pop()!) as Measure;
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--vs-torch')) return vsTorch(args, runJob);
  const rounds = Number(args[args.indexOf('--rounds') + 1]) || 3;
  const quick = args.includes('--quick');
  const full = args.includes('--full');
  const configs: { backend: BackendRequest; threads: number; kernels?: KernelsRequest }[] = [
    { backend: 'wasm', threads: 1, kernels: 'wasm' },
    { backend: 'wasm', threads: 2, kernels: 'wasm' },
  ];
  if (loadOnednn().ok)
    configs.push(
      { backend: 'wasm', threads: 1, kernels: 'onednn' },
      { backend: 'wasm', threads: 2, kernels: 'onednn' },
    );
  if (installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu'))
    configs.unshift({ backend: 'tensorflow', threads: 1 });
  if (args.includes('--cpu')) configs.push({ backend: 'cpu', threads: 1 });
  const models: { arch: Arch; size: number; images: number }[] = [
    { arch: 'chestnet_s', size: 64, images: quick ? 64 : 256 },
    { arch: 'resnet18', size: 128, images: quick ? 32 : full ? 256 : 64 },
  ];
  const results: Measure[] = [];
  const load0 = os.loadavg()[0];
  const started = new Date();
  for (let r = 0; r < rounds; r++) {
    for (const m of models) {
      for (const c of configs) {
        const job: Job = { ...c, ...m, images: c.backend === 'cpu' ? BATCH : m.images };
        const measure = runJob(job);
        results.push(measure);
        console.log(
          `round ${r + 1} ${m.arch}@${m.size} ${measure.backend}: train ${measure.trainImgS.toFixed(1)} img/s (${measure.trainImgCpuS.toFixed(1)} img/CPU-s), infer ${measure.inferImgS.toFixed(1)} img/s`,
        );
      }
    }
  }
  const rows: string[] = [];
  for (const m of models) {
    const base = results.filter(
      (x) => x.job.arch === m.arch && x.job.backend === 'wasm' && x.job.threads === 1 && x.job.kernels !== 'onednn',
    );
    const baseTrain = median(base.map((x) => x.trainImgS));
    for (const c of configs) {
      const mine = results.filter(
        (x) =>
          x.job.arch === m.arch &&
          x.job.backend === c.backend &&
          x.job.threads === c.threads &&
          x.job.kernels === c.kernels,
      );
      if (mine.length === 0) continue;
      const train = median(mine.map((x) => x.trainImgS));
      const infer = median(mine.map((x) => x.inferImgS));
      const perCpu = median(mine.map((x) => x.trainImgCpuS));
      rows.push(
        `| ${m.arch} | ${m.size}×${m.size} | ${mine[0].backend} | ${train.toFixed(1)} | ${perCpu.toFixed(1)} | ${infer.toFixed(1)} | ${(train / baseTrain).toFixed(2)} | ${mine.map((x) => x.trainImgS.toFixed(1)).join(', ')} |`,
      );
    }
  }
  const cpu = os.cpus();
  const table = [
    `# TF.js runtime throughput`,
    '',
    `- date: ${started.toISOString()}`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()}`,
    `- load average (1 min) at start / end: ${load0.toFixed(2)} / ${os.loadavg()[0].toFixed(2)} (shared machine: figures are noisy; compare ratios)`,
    `- command: \`npx tsx bench/train-throughput.ts ${args.join(' ')}\``,
    `- method: batch ${BATCH}, Adam, synthetic data, 2 warm-up steps, then ${quick ? '64 (chestnet) / 32 (resnet)' : full ? '256' : '256 (chestnet) / 64 (resnet18; --full for 256)'} images per run; img/s from the median batch time (wall clock); img/CPU-s = images per second of process CPU time (all threads), which load from other users disturbs much less than wall time; ${rounds} round(s), configurations interleaved; table = median over rounds`,
    '',
    '| model | input | backend | train img/s | train img/CPU-s | infer img/s | train vs wasm ×1 | train img/s per round |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  console.log(`\n${table}`);
  if (args.includes('--write')) writeFileSync(fileURLToPath(new URL('./results/runtime.md', import.meta.url)), table);
}

const jobArg = process.argv.indexOf('--job');
if (jobArg >= 0) await worker(JSON.parse(process.argv[jobArg + 1]) as Job);
else main();

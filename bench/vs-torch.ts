/**
 * `bench/train-throughput.ts --vs-torch`: xpipe (wasm) and PyTorch CPU (bench/torch_reference.py) on the
 * same models, batch and optimizer, alternating A B A B … in ONE run so that load from other users hits
 * both alike, then a table of medians with the xpipe/torch ratio, and (with `--write`) the record
 * bench/results/throughput-vs-torch-<date>.md with date, machine, command and `uptime` before/after.
 *
 * Owns: the interleaving, the torch child and the table. Does not own: the xpipe measurement
 * (train-throughput.ts runs it in a child process and hands `runJob` in).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Arch } from '../src/ml/models/index.js';
import type { Job, Measure } from './train-throughput.js';
import type { KernelsRequest } from '../src/ml/runtime/index.js';
import { loadOnednn } from '../src/ml/runtime/onednn/addon.js';

interface TorchMeasure {
  ok: boolean;
  reason?: string;
  torch?: string;
  trainImgS: number;
  inferImgS: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Debian's interpreter (where python3-torch installs), unless XPIPE_BENCH_PYTHON names another. */
function python(): string {
  return process.env.XPIPE_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

function runTorch(arch: Arch, size: number, images: number, threads: number): TorchMeasure {
  const script = fileURLToPath(new URL('./torch_reference.py', import.meta.url));
  try {
    const args = [
      script,
      '--arch',
      arch,
      '--size',
      String(size),
      '--images',
      String(images),
      '--threads',
      String(threads),
    ];
    const out = execFileSync(python(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return JSON.parse(out.trim().split('\n').pop()!) as TorchMeasure;
  } catch (error) {
    return { ok: false, reason: `${python()} failed: ${String(error).split('\n')[0]}`, trainImgS: 0, inferImgS: 0 };
  }
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  }
}

export function vsTorch(args: string[], runJob: (job: Job) => Measure): void {
  const rounds = Math.max(3, Number(args[args.indexOf('--rounds') + 1]) || 3);
  const quick = args.includes('--quick');
  const full = args.includes('--full');
  const threadsArg = args.includes('--threads') ? args[args.indexOf('--threads') + 1] : 'auto';
  const threads: number | 'auto' = threadsArg === 'auto' ? 'auto' : Number(threadsArg);
  const torchThreads = 2;
  const models: { arch: Arch; size: number; images: number }[] = [
    { arch: 'chestnet_s', size: 64, images: quick ? 64 : 256 },
    { arch: 'resnet18', size: 128, images: quick ? 32 : full ? 256 : 64 },
  ];
  const started = new Date();
  const up0 = uptime();
  // Every xpipe kernel set this machine has (the wasm backend's own, and oneDNN when the addon is built),
  // each against the same torch runs: the before/after of the native kernels, side by side in one run.
  const kernelSets: KernelsRequest[] = args.includes('--kernels')
    ? [args[args.indexOf('--kernels') + 1] as KernelsRequest]
    : loadOnednn().ok
      ? ['wasm', 'onednn']
      : ['wasm'];
  const rows = new Map<string, { xp: Measure[]; pt: TorchMeasure[] }>();
  let torchNote: string | undefined;
  for (let r = 0; r < rounds; r++) {
    for (const m of models) {
      const torchRow = rows.get(m.arch) ?? { xp: [], pt: [] };
      rows.set(m.arch, torchRow);
      for (const kernels of kernelSets) {
        const key = `${m.arch}/${kernels}`;
        const entry = rows.get(key) ?? { xp: [], pt: [] };
        rows.set(key, entry);
        const xp = runJob({ backend: 'wasm', threads, kernels, arch: m.arch, size: m.size, images: m.images });
        entry.xp.push(xp);
        console.log(
          `round ${r + 1} ${m.arch}@${m.size} xpipe ${xp.backend}: train ${xp.trainImgS.toFixed(1)} img/s, infer ${xp.inferImgS.toFixed(1)} img/s`,
        );
      }
      const entry = torchRow;
      if (torchNote !== undefined) continue;
      const pt = runTorch(m.arch, m.size, m.images, torchThreads);
      if (!pt.ok) {
        torchNote = `PyTorch skipped: ${pt.reason ?? 'unknown'}`;
        console.log(torchNote);
        continue;
      }
      entry.pt.push(pt);
      console.log(
        `round ${r + 1} ${m.arch}@${m.size} torch ${pt.torch} ×${torchThreads}: train ${pt.trainImgS.toFixed(1)} img/s, infer ${pt.inferImgS.toFixed(1)} img/s`,
      );
    }
  }
  const up1 = uptime();
  const f = (x: number): string => x.toFixed(1);
  const lines = [
    '| model | input | xpipe backend | xpipe train img/s | torch train img/s | **train ratio** | xpipe infer img/s | torch infer img/s | **infer ratio** | per-round train ratios |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of models) {
    for (const kernels of kernelSets) {
      const { pt } = rows.get(m.arch)!;
      const { xp } = rows.get(`${m.arch}/${kernels}`)!;
      const xt = median(xp.map((x) => x.trainImgS));
      const xi = median(xp.map((x) => x.inferImgS));
      if (pt.length === 0) {
        lines.push(`| ${m.arch} | ${m.size}² | ${xp[0].backend} | ${f(xt)} | – | – | ${f(xi)} | – | – | – |`);
        continue;
      }
      const tt = median(pt.map((x) => x.trainImgS));
      const ti = median(pt.map((x) => x.inferImgS));
      const perRound = pt.map((p, i) => (xp[i].trainImgS / p.trainImgS).toFixed(2)).join(', ');
      lines.push(
        `| ${m.arch} | ${m.size}² | ${xp[0].backend} | ${f(xt)} | ${f(tt)} | **${(xt / tt).toFixed(2)}×** | ${f(xi)} | ${f(ti)} | **${(xi / ti).toFixed(2)}×** | ${perRound} |`,
      );
    }
  }
  const cpu = os.cpus();
  const record = [
    '# xpipe vs PyTorch CPU: training and inference throughput',
    '',
    `- date: ${started.toISOString()}`,
    `- machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()}`,
    `- command: \`npx tsx bench/train-throughput.ts ${args.join(' ')}\``,
    `- uptime at start: \`${up0}\``,
    `- uptime at end: \`${up1}\``,
    `- method: batch 32, Adam (lr 1e-3), sigmoid cross-entropy on 14 labels, synthetic grayscale data; 2 warm-up steps, then ${models.map((m) => `${m.images} images (${m.arch})`).join(' / ')} per run; img/s from the median batch time; xpipe = wasm backend with threads \`${threadsArg}\` and kernels ${kernelSets.join(' / ')} (\`+oneDNN\` rows: the native kernels), torch = bench/torch_reference.py with ${torchThreads} threads; ${rounds} rounds, xpipe and torch alternating (A B … A B …) in one run; table = median over rounds, ratio = xpipe / torch (> 1: xpipe faster). The machine is shared with other jobs: compare the ratios, not the absolute figures.`,
    ...(torchNote === undefined ? [] : [`- note: ${torchNote}`]),
    '',
    ...lines,
    '',
  ].join('\n');
  console.log(`\n${record}`);
  if (args.includes('--write')) {
    // One file per run: a second run of the day gets its start time in the name instead of replacing a record.
    const day = started.toISOString().slice(0, 10);
    const first = fileURLToPath(new URL(`./results/throughput-vs-torch-${day}.md`, import.meta.url));
    const hhmm = started.toISOString().slice(11, 16).replace(':', '');
    const file = existsSync(first) ? first.replace(/\.md$/, `-${hhmm}.md`) : first;
    writeFileSync(file, record);
    console.log(`written: ${path.relative(process.cwd(), file)}`);
  }
}

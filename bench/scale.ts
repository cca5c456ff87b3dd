/**
 * Scale bench (run by hand; results in bench/results/scale-*.md): synthetic NIH-layout datasets of N
 * images through split → preprocess → training, each stage in its own process (bench/scale-stage.ts),
 * for this checkout (sharded, streaming) and a baseline checkout (e.g. main before sharding, all in
 * memory), interleaved per N so both see the same machine load; plus OpenCV on the same files.
 *
 *   npx tsx bench/scale.ts --baseline ../xpipe-base [--n 5000,10000,20000] [--size 128]
 *                          [--train-images 320] [--work <dir>] [--out bench/results/scale.md]
 *
 * --baseline: another checkout with built dependencies (its node_modules) whose stages to compare; this
 *   file copies scale-stage.ts into its bench/ folder. Omit to measure this checkout only.
 * --train-images K: train K images of the one epoch and stop (the epoch is the default when 0); load,
 *   memory and img/s are then those of the first K images (say so when quoting the figures).
 * Generated data (under --work, default the OS temp folder) is reused across runs and never committed.
 *
 *   npx tsx bench/scale.ts --vs-opencv [--n 2000] [--size 128] [--src-size 128] [--rounds 3] [--out <md>]
 *
 * --vs-opencv: only the preprocess stage of this checkout against bench/opencv_preprocess.py (2 processes)
 *   on the same N files (generated once at --src-size², resized to --size²), interleaved A B A B over
 *   --rounds rounds, each xpipe run with an empty per-image cache. Reports wall-clock images/s and images
 *   per CPU-second (user + system of every thread / pool process) for both, and their ratios per round.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  linkSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { generateSynthetic, parseSynthParams } from '../src/ml/data/synth/generate.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const sizes = opt('--n', '5000,10000,20000').split(',').map(Number);
const size = Number(opt('--size', '128'));
// Side of the generated source images; the scale bench proper keeps them at the output size.
const srcSize = Number(opt('--src-size', String(size)));
const trainImages = Number(opt('--train-images', '0'));
const baseline = args.includes('--baseline') ? path.resolve(opt('--baseline', '')) : null;
const work = path.resolve(opt('--work', path.join(tmpdir(), 'xpipe-bench-scale')));
const outFile = opt('--out', '');
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

interface StageRun {
  stage: string;
  seconds: number;
  cpuSeconds: number;
  images: number;
  stopped: boolean;
  maxRssMb: number;
}

/** Synthetic images (no masks, like NIH) for the largest N, generated once. */
async function source(maxN: number): Promise<{ dir: string; header: string; rows: string[] }> {
  const dir = path.join(work, `raw-${srcSize}`);
  const csv = path.join(dir, 'Data_Entry_2017.csv');
  const count = (): number => (existsSync(csv) ? readFileSync(csv, 'utf8').trim().split('\n').length - 1 : 0);
  if (count() < maxN) {
    process.stderr.write(`generating ~${maxN} synthetic ${srcSize}² images into ${dir} (once)\n`);
    const opts = parseSynthParams({ seed: 42, patients: Math.ceil(maxN / 2.4), size: srcSize });
    await generateSynthetic(dir, opts, {});
  }
  const [header, ...rows] = readFileSync(csv, 'utf8').trim().split('\n');
  if (rows.length < maxN) throw new Error(`only ${rows.length} synthetic images in ${dir}; delete it and re-run`);
  return { dir, header: header, rows };
}

/** A bench project: the first n images (hard links), params.yaml with the bench overrides. */
function project(root: string, src: { dir: string; header: string; rows: string[] }, n: number): void {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(path.join(root, 'data/raw/images'), { recursive: true });
  const rows = src.rows.slice(0, n);
  for (const row of rows) {
    const name = row.split(',')[0];
    linkSync(path.join(src.dir, 'images', name), path.join(root, 'data/raw/images', name));
  }
  writeFileSync(path.join(root, 'data/raw/Data_Entry_2017.csv'), [src.header, ...rows].join('\n') + '\n');
  const params = parse(readFileSync(path.join(repo, 'params.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  params['preprocess'] = { ...params['preprocess'], size };
  params['train'] = { ...params['train'], epochs: 1 };
  params['model'] = { ...params['model'], arch: 'chestnet_s' };
  writeFileSync(path.join(root, 'params.yaml'), stringify(params));
}

function runStage(checkout: string, stage: string, root: string): StageRun {
  const extra = stage === 'train' && trainImages > 0 ? ['--train-images', String(trainImages)] : [];
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scale-stage.ts', stage, root, ...extra], {
    cwd: checkout,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${stage} in ${checkout} failed:\n${r.stderr}`);
  return JSON.parse(line) as StageRun;
}

interface OpenCvRun {
  images: number;
  seconds: number;
  cpu_seconds: number;
  cv2: string;
}

function opencv(root: string): OpenCvRun {
  const list = path.join(root, 'files.txt');
  const dir = path.join(root, 'data/raw/images');
  writeFileSync(
    list,
    readdirSync(dir)
      .map((f) => path.join(dir, f))
      .join('\n'),
  );
  const python = process.env['PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const r = spawnSync(python, [path.join(here, 'opencv_preprocess.py'), list, String(size), '5', '2'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`opencv reference failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as OpenCvRun;
}

function duBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).reduce((a, f) => a + statSync(path.join(dir, f)).size, 0);
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/**
 * --vs-opencv: the preprocess stage vs the OpenCV reference on the same files, interleaved per round
 * (this checkout, the --baseline checkout if given, OpenCV), each xpipe run with an empty per-image cache.
 */
async function vsOpenCv(): Promise<void> {
  const n = args.includes('--n') ? sizes[0] : 2000;
  const rounds = Number(opt('--rounds', '3'));
  const src = await source(n);
  const root = path.join(work, `vs-opencv-n${n}-${srcSize}-${size}`);
  project(root, src, n);
  runStage(repo, 'split', root);
  if (baseline) copyFileSync(path.join(here, 'scale-stage.ts'), path.join(baseline, 'bench/scale-stage.ts'));
  const loadStart = load();
  const started = new Date().toISOString();
  const lines: string[] = [];
  const codes = [['this checkout', repo], ...(baseline ? [['baseline', baseline]] : [])] as const;
  type Rates = { wall: number[]; cpu: number[]; rw: number[]; rc: number[] };
  const per = new Map<string, Rates>();
  const acc = (name: string): Rates => {
    const have = per.get(name);
    if (have) return have;
    const made: Rates = { wall: [], cpu: [], rw: [], rc: [] };
    per.set(name, made);
    return made;
  };
  let cv2 = '';
  for (let round = 1; round <= rounds; round++) {
    const runs: { name: string; seconds: number; cpu: number; images: number; load: string }[] = [];
    for (const [name, checkout] of codes) {
      // an empty per-image cache: OpenCV computes every image, so xpipe must too
      rmSync(path.join(root, '.xpipe/scratch/preprocess'), { recursive: true, force: true });
      const before = load();
      const x = runStage(checkout, 'preprocess', root);
      runs.push({ name, seconds: x.seconds, cpu: x.cpuSeconds, images: x.images, load: `${before} → ${load()}` });
    }
    const before = load();
    const c = opencv(root);
    cv2 = c.cv2;
    const cw = c.images / c.seconds;
    const cc = c.images / c.cpu_seconds;
    runs.push({
      name: `OpenCV ${cv2}`,
      seconds: c.seconds,
      cpu: c.cpu_seconds,
      images: c.images,
      load: `${before} → ${load()}`,
    });
    for (const r of runs) {
      if (r.images !== c.images) throw new Error(`${r.name} did ${r.images} images, OpenCV ${c.images}`);
      const w = r.images / r.seconds;
      const u = r.images / r.cpu;
      const a = acc(r.name);
      a.wall.push(w);
      a.cpu.push(u);
      a.rw.push(w / cw);
      a.rc.push(u / cc);
      const line =
        `| ${round} | ${r.name} | ${r.seconds.toFixed(2)} | ${w.toFixed(0)} | ${r.cpu.toFixed(2)} | ${u.toFixed(0)} | ` +
        `${(w / cw).toFixed(2)}× | ${(u / cc).toFixed(2)}× | ${r.load} |`;
      process.stderr.write(line + '\n');
      lines.push(line);
    }
  }
  if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });
  const f = (v: number[], d = 0): string => median(v).toFixed(d);
  const text = [
    `preprocess vs OpenCV ${cv2}, ${started} → ${new Date().toISOString()}`,
    `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`,
    `command: npx tsx bench/scale.ts ${args.join(' ')}`,
    `${n} synthetic ${srcSize}² PNGs → ${size}², equalize global, blur 5; load average at start ${loadStart}, at end ${load()}`,
    '',
    '| round | code | wall s | img/s | CPU s | img per CPU-s | img/s vs OpenCV | img per CPU-s vs OpenCV | load (1-min) before → after |',
    '|---|---|---|---|---|---|---|---|---|',
    ...lines,
    ...[...per].map(
      ([name, a]) =>
        `| median | ${name} | | ${f(a.wall)} | | ${f(a.cpu)} | **${f(a.rw, 2)}×** | **${f(a.rc, 2)}×** | |`,
    ),
  ].join('\n');
  if (outFile) writeFileSync(outFile, text + '\n');
  console.log(text);
}

if (args.includes('--vs-opencv')) {
  await vsOpenCv();
  process.exit(0);
}

const rows: string[] = [];
const header = (): string =>
  [
    `scale bench ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`,
    `command: npx tsx bench/scale.ts ${args.join(' ')}`,
    '',
    '| N | code | stage | wall s | images/s | peak RSS MiB | load (1-min) before → after |',
    '|---|---|---|---|---|---|---|',
  ].join('\n');
// Rows go to --out as they come, so an interrupted run still leaves its figures.
const flush = (): void => {
  if (outFile) writeFileSync(outFile, header() + '\n' + rows.join('\n') + '\n');
};
const src = await source(Math.max(...sizes));
if (baseline) copyFileSync(path.join(here, 'scale-stage.ts'), path.join(baseline, 'bench/scale-stage.ts'));
const variants: [string, string][] = [
  ['sharded', repo],
  ...(baseline ? [['in-memory (baseline)', baseline] as [string, string]] : []),
];
for (const n of sizes) {
  for (const [name, checkout] of variants) {
    const root = path.join(work, `n${n}-${name.split(' ')[0]}`);
    project(root, src, n);
    const loadBefore = load();
    for (const stage of ['split', 'preprocess', 'train']) {
      const r = runStage(checkout, stage, root);
      const imgs = stage === 'train' ? r.images : n;
      const line = `| ${n} | ${name} | ${stage} | ${r.seconds.toFixed(1)} | ${(imgs / r.seconds).toFixed(1)} (${imgs} img${r.stopped ? ', stopped' : ''}) | ${r.maxRssMb.toFixed(0)} | ${loadBefore} → ${load()} |`;
      process.stderr.write(line + '\n');
      rows.push(line);
      flush();
    }
    const disk = duBytes(path.join(root, 'data/preprocessed')) / 2 ** 20;
    rows.push(`| ${n} | ${name} | (data/preprocessed on disk) | | ${disk.toFixed(0)} MiB | | |`);
    if (name === 'sharded') {
      const cv = opencv(root);
      const line = `| ${n} | OpenCV ${cv.cv2}, 2 processes | decode → INTER_AREA → equalizeHist → GaussianBlur 5 | ${cv.seconds.toFixed(1)} | ${(cv.images / cv.seconds).toFixed(1)} (${cv.images} img) | | ${load()} |`;
      process.stderr.write(line + '\n');
      rows.push(line);
      flush();
    }
    if (!args.includes('--keep')) rmSync(root, { recursive: true, force: true });
  }
}
flush();
console.log(header() + '\n' + rows.join('\n'));

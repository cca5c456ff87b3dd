/**
 * Benchmarks and reference checks of the preprocessing (run by hand; not part of the tests).
 *
 *   npx tsx bench/preprocess.ts                 throughput: 1,000 PNGs at 1024×1024 → 128×128, cold and warm cache
 *   npx tsx bench/preprocess.ts --images 300    fewer images
 *   npx tsx bench/preprocess.ts --synth         time the default synthetic dataset (600 patients, 256 px)
 *   npx tsx bench/preprocess.ts --phases <dir> [--size 128] [--images 2000]
 *                                               CPU time per phase of the chain (read, hash, inflate, unfilter,
 *                                               resize, equalise, blur, cache store) on one thread, over the
 *                                               PNGs of <dir> (e.g. the scale bench's generated images)
 *   npx tsx bench/preprocess.ts --cv2           compare with OpenCV (needs python3 with cv2, e.g. Debian's
 *                                               python3-opencv; set PYTHON to pick the interpreter)
 *
 * The 1024×1024 inputs are synthetic radiographs (256 px renders upscaled, with fresh noise per file so no
 * two files are equal), generated once into the OS temp folder and reused. Results go in bench/results/data.md.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeGray } from '../src/ml/data/image/decode.js';
import { decodeGrayPng8 } from '../src/ml/data/image/png-fast.js';
import { equalizeHist, gaussianBlur, resizeArea, type Gray } from '../src/ml/data/image/ops.js';
import type { ImageResult, ImageTask } from '../src/ml/data/preprocess/image-task.js';
import { cacheKey, parsePreprocessParams } from '../src/ml/data/preprocess/options.js';
import { store } from '../src/ml/data/preprocess/pack-cache.js';
import { Sfc32 } from '../src/shared/rng.js';
import { DEFAULT_PREVALENCE } from '../src/ml/data/synth/findings.js';
import { generateSynthetic, parseSynthParams } from '../src/ml/data/synth/generate.js';
import { renderPatient } from '../src/ml/data/synth/patient-task.js';
import { defaultThreads, runPool } from '../src/ml/data/worker-pool.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

async function makeInputs(count: number): Promise<string> {
  const dir = path.join(tmpdir(), `xpipe-bench-preprocess-1024-v1`);
  await mkdir(dir, { recursive: true });
  const have = new Set(await readdir(dir));
  const bases: Uint8Array[] = [];
  for (let p = 1; bases.length < 50; p++) {
    for (const img of renderPatient({
      seed: 7,
      patient: p,
      size: 256,
      prevalence: { ...DEFAULT_PREVALENCE },
      outDir: '',
    })) {
      bases.push(
        await sharp(img.image, { raw: { width: 256, height: 256, channels: 1 } })
          .resize(1024, 1024, { kernel: 'cubic' })
          .raw()
          .toBuffer(),
      );
    }
  }
  const rng = new Sfc32(1);
  for (let i = 0; i < count; i++) {
    const name = `img_${String(i).padStart(4, '0')}.png`;
    if (have.has(name)) continue;
    const px = Uint8Array.from(bases[i % bases.length]);
    for (let j = 0; j < px.length; j += 1 + (j % 7))
      px[j] = Math.min(255, Math.max(0, px[j] + Math.round(rng.normal(0, 3))));
    await writeFile(
      path.join(dir, name),
      await sharp(px, { raw: { width: 1024, height: 1024, channels: 1 } })
        .toColourspace('b-w')
        .png({ compressionLevel: 6 })
        .toBuffer(),
    );
    if (i % 100 === 99) process.stderr.write(`  generated ${i + 1}/${count} inputs\n`);
  }
  return dir;
}

async function throughput(): Promise<void> {
  const count = opt('--images', 1000);
  const threads = opt('--threads', defaultThreads());
  const dir = await makeInputs(count);
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .slice(0, count);
  const o = parsePreprocessParams({ size: 128, equalize: 'global', blur_ksize: 5, blur_sigma: 0 });
  const cache = await mkdtemp(path.join(tmpdir(), 'xpipe-bench-cache-'));
  // a new run id per pass, so the workers re-index the cache (as each stage run does)
  const tasksOf = (run: string): ImageTask[] =>
    files.map((f) => ({
      file: path.join(dir, f),
      display: f,
      mask: null,
      options: o,
      cache: { dir: cache, run },
    }));
  const url = new URL(
    `../src/ml/data/preprocess/image-task${path.extname(fileURLToPath(import.meta.url))}`,
    import.meta.url,
  );
  const rates: Record<string, number[]> = { cold: [], warm: [] };
  const perCpu: Record<string, number[]> = { cold: [], warm: [] };
  for (let rep = 0; rep < 3; rep++) {
    await rm(cache, { recursive: true, force: true });
    for (const phase of ['cold', 'warm'] as const) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const res = await runPool<ImageTask, ImageResult>(url, tasksOf(`${rep}-${phase}`), { threads });
      const secs = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      perCpu[phase]?.push(files.length / ((cpu.user + cpu.system) / 1e6));
      if (res.some((r) => r.error)) throw new Error(res.find((r) => r.error)?.error ?? '');
      rates[phase]?.push(files.length / secs);
      process.stderr.write(
        `  run ${rep + 1} ${phase}: ${(files.length / secs).toFixed(0)} images/s wall, ${(perCpu[phase]?.at(-1) ?? 0).toFixed(0)} images per CPU-second\n`,
      );
    }
  }
  await rm(cache, { recursive: true, force: true });
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  console.log(`preprocess ${files.length} PNGs 1024x1024 -> 128x128 (equalize global, blur 5), ${threads} threads:`);
  for (const phase of ['cold', 'warm'] as const) {
    const wall = rates[phase] ?? [];
    const cpu = perCpu[phase] ?? [];
    console.log(
      `  ${phase} cache: median ${median(wall).toFixed(0)} images/s wall-clock (runs: ${wall.map((r) => r.toFixed(0)).join(', ')}); ` +
        `median ${median(cpu).toFixed(0)} images per CPU-second, i.e. ~${(median(cpu) * threads).toFixed(0)} images/s on ${threads} idle cores`,
    );
  }
  console.log(
    `  load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores`,
  );
}

const PY = String.raw`
import json, sys, numpy as np, cv2
m = json.load(open(sys.argv[1]))
out = {}
for case in m['cases']:
    d = sys.argv[2]
    src = np.fromfile(f"{d}/{case['id']}.in", dtype=np.uint8).reshape(case['h'], case['w'])
    ours = np.fromfile(f"{d}/{case['id']}.out", dtype=np.uint8).reshape(case['oh'], case['ow'])
    op = case['op']
    if op == 'equalize': ref = cv2.equalizeHist(src)
    elif op.startswith('blur'): ref = cv2.GaussianBlur(src, (case['k'], case['k']), case['sigma'])
    elif op == 'resize': ref = cv2.resize(src, (case['ow'], case['oh']), interpolation=cv2.INTER_AREA)
    diff = np.abs(ref.astype(int) - ours.astype(int))
    s = out.setdefault(op, {'images': 0, 'pixels': 0, 'exact': 0, 'within1': 0, 'max': 0})
    s['images'] += 1; s['pixels'] += diff.size; s['exact'] += int((diff == 0).sum()); s['within1'] += int((diff <= 1).sum()); s['max'] = max(s['max'], int(diff.max()))
print(json.dumps({'cv2': cv2.__version__, 'ops': out}))
`;

async function cv2Check(): Promise<void> {
  const python = process.env['PYTHON'] ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const root = fileURLToPath(new URL('..', import.meta.url));
  const work = await mkdtemp(path.join(tmpdir(), 'xpipe-cv2-'));
  const inputs: { name: string; img: Gray }[] = [];
  const real = path.join(root, '../shared/realdata');
  if (existsSync(real)) {
    const list = (await readFile(path.join(real, 'manifest.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[1]);
    for (const rel of list)
      inputs.push({ name: rel, img: await decodeGray(await readFile(path.join(real, rel)), rel) });
  }
  for (let p = 1; inputs.length < (existsSync(real) ? 798 : 200); p++) {
    for (const r of renderPatient({
      seed: 11,
      patient: p,
      size: 256,
      prevalence: { ...DEFAULT_PREVALENCE },
      outDir: '',
    }))
      inputs.push({ name: r.name, img: { data: r.image, width: 256, height: 256 } });
  }
  const cases: object[] = [];
  let id = 0;
  const add = async (op: string, src: Gray, out: Gray, extra: object = {}): Promise<void> => {
    await writeFile(path.join(work, `${id}.in`), src.data);
    await writeFile(path.join(work, `${id}.out`), out.data);
    cases.push({ id, op, w: src.width, h: src.height, ow: out.width, oh: out.height, ...extra });
    id++;
  };
  for (const { img } of inputs) {
    await add('equalize', img, equalizeHist(img));
    const small = resizeArea(img, 64, 64);
    await add('resize', img, small);
    await add('equalize', small, equalizeHist(small));
    const eq = equalizeHist(small);
    await add('blur k5 sigma0', eq, gaussianBlur(eq, 5, 0), { k: 5, sigma: 0 });
    await add('blur k5 sigma0', img, gaussianBlur(img, 5, 0), { k: 5, sigma: 0 });
    await add('blur k9 sigma0', eq, gaussianBlur(eq, 9, 0), { k: 9, sigma: 0 });
    await add('blur k5 sigma1.5', eq, gaussianBlur(eq, 5, 1.5), { k: 5, sigma: 1.5 });
  }
  await writeFile(path.join(work, 'manifest.json'), JSON.stringify({ cases }));
  await writeFile(path.join(work, 'check.py'), PY);
  const result = JSON.parse(
    execFileSync(python, [path.join(work, 'check.py'), path.join(work, 'manifest.json'), work], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  ) as {
    cv2: string;
    ops: Record<string, { images: number; pixels: number; exact: number; within1: number; max: number }>;
  };
  await rm(work, { recursive: true, force: true });
  console.log(
    `OpenCV ${result.cv2}, ${inputs.length} images (${existsSync(real) ? 'the 598 real radiographs + ' : ''}synthetic ones)`,
  );
  console.log('| operation | images | exact pixels | within ±1 | max abs diff |');
  console.log('|---|---|---|---|---|');
  for (const [op, s] of Object.entries(result.ops)) {
    console.log(
      `| ${op} | ${s.images} | ${((100 * s.exact) / s.pixels).toFixed(3)}% | ${((100 * s.within1) / s.pixels).toFixed(3)}% | ${s.max} |`,
    );
  }
}

async function synthTiming(): Promise<void> {
  const out = await mkdtemp(path.join(tmpdir(), 'xpipe-bench-synth-'));
  const opts = parseSynthParams({ patients: opt('--patients', 600), size: 256 });
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const res = await generateSynthetic(path.join(out, 'raw'), opts);
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  await rm(out, { recursive: true, force: true });
  const cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(
    `synth ${res.images} images of ${res.patients} patients at 256x256: ${secs.toFixed(1)} s wall-clock, ${cpuSecs.toFixed(1)} CPU-seconds ` +
      `(~${(cpuSecs / defaultThreads()).toFixed(1)} s on ${defaultThreads()} idle cores); load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
}

/** CPU microseconds per image of each phase, on this thread, pass 2 of 2 (pass 1 warms the JIT). */
async function phases(): Promise<void> {
  const dir = args[args.indexOf('--phases') + 1];
  const size = opt('--size', 128);
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.png'))
    .sort()
    .slice(0, opt('--images', 2000));
  const o = parsePreprocessParams({ size, equalize: 'global', blur_ksize: 5, blur_sigma: 0 });
  const cache = await mkdtemp(path.join(tmpdir(), 'xpipe-bench-phases-'));
  const names = ['read', 'sha256', 'inflate', 'unfilter', 'resize', 'equalize', 'blur', 'cache key', 'cache store'];
  const spent = new Map<string, number>();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  for (let pass = 0; pass < 2; pass++) {
    spent.clear();
    const time = <T>(name: string, f: () => T): T => {
      const c = cpu();
      const r = f();
      spent.set(name, (spent.get(name) ?? 0) + cpu() - c);
      return r;
    };
    for (const f of files) {
      const bytes = time('read', () => readFileSync(path.join(dir, f)));
      const hash = time('sha256', () => createHash('sha256').update(bytes).digest('hex'));
      const raw = time('inflate', () => inflateIdat(bytes));
      const gray = time('unfilter', () => decodeGrayPng8(bytes)) as Gray; // inflates again: minus 'inflate' below
      const small = time('resize', () => resizeArea(gray, size, size));
      const eq = time('equalize', () => equalizeHist(small));
      const out = time('blur', () => gaussianBlur(eq, 5, 0));
      const key = time('cache key', () => cacheKey(hash, 'image', o));
      time('cache store', () => store(cache, `pass${pass}`, key, out.data));
      if (raw.length === 0) throw new Error(`${f}: no IDAT`);
    }
  }
  spent.set('unfilter', (spent.get('unfilter') ?? 0) - (spent.get('inflate') ?? 0));
  await rm(cache, { recursive: true, force: true });
  const total = [...spent.values()].reduce((a, b) => a + b, 0);
  console.log(
    `CPU µs per image, ${files.length} PNGs of ${dir} → ${size}², one thread (load ${loadavg()[0].toFixed(1)}):`,
  );
  console.log('| phase | µs per image | share |');
  console.log('|---|---|---|');
  for (const n of names) {
    const v = spent.get(n) ?? 0;
    console.log(`| ${n} | ${(v / files.length).toFixed(1)} | ${((100 * v) / total).toFixed(0)}% |`);
  }
  console.log(`| total | ${(total / files.length).toFixed(1)} | |`);
}

/** The concatenated IDAT data of a PNG, inflated (the zlib part of decodeGrayPng8). */
function inflateIdat(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const len = view.getUint32(at);
    if (String.fromCharCode(...bytes.subarray(at + 4, at + 8)) === 'IDAT')
      parts.push(bytes.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  return inflateSync(Buffer.concat(parts));
}

if (args.includes('--phases')) await phases();
else if (args.includes('--cv2')) await cv2Check();
else if (args.includes('--synth')) await synthTiming();
else await throughput();

/**
 * Engine benchmark (run by hand, not a test): `npx tsx bench/engine.ts [--write] [--runs N] [--files N]`.
 * Builds synthetic projects in a temp dir and prints medians of wall time for no-op `xpipe status` and
 * `xpipe repro` (the real CLI, Node start included) for (a) a 10-stage chain, (b) a 200-stage DAG,
 * (c) one stage whose dep is a directory of 100,000 small files (cold = no state index, warm = with it),
 * (d) hashing throughput on a 1 GB file, and (e) 10 module stages sharing a 40-file import tree (code deps).
 * `--write` also writes bench/results/engine.md; `--quick` runs only (a), (b) and (e).
 * Requires a built CLI (`npm run build`).
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fileHasher } from '../src/engine/hash/hash-file.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(REPO, 'bin', 'xpipe.js');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 7;
const FILES = Number(args[args.indexOf('--files') + 1]) || 100_000;
const rows: string[] = [];

function xpipe(dir: string, cmd: string[]): number {
  const t = performance.now();
  execFileSync(process.execPath, [BIN, ...cmd], { cwd: dir, stdio: 'ignore' });
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMedian(dir: string, cmd: string[], runs = RUNS): number {
  return median(Array.from({ length: runs }, () => xpipe(dir, cmd)));
}

function report(what: string, ms: number, target?: string): void {
  const line = `| ${what} | ${ms.toFixed(0)} ms | ${target ?? ''} |`;
  rows.push(line);
  console.log(line);
}

function project(name: string, pipeline: string, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `xpipe-bench-${name}-`));
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), pipeline);
  fs.writeFileSync(path.join(dir, 'params.yaml'), 'p: {x: 1}\n');
  for (const [f, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), c);
  }
  return dir;
}

function chain(n: number): string {
  let y = 'stages:\n';
  for (let i = 0; i < n; i++) {
    const dep = i === 0 ? 'src/in.txt' : `out/s${i - 1}.txt`;
    y += `  s${i}:\n    cmd: mkdir -p out && cp ${dep} out/s${i}.txt\n    deps: [${dep}]\n    params: [p]\n    outs: [out/s${i}.txt]\n`;
  }
  return y;
}

function dag(n: number): string {
  let y = 'stages:\n';
  for (let i = 0; i < n; i++) {
    const deps =
      i === 0
        ? ['src/in.txt']
        : [...new Set([Math.floor(i / 2), Math.floor(i / 3), i - 1])].map((j) => `out/s${j}.txt`);
    y += `  s${i}:\n    cmd: mkdir -p out && cat ${deps.join(' ')} | head -c 64 > out/s${i}.txt\n    deps: [${deps.join(', ')}]\n    outs: [out/s${i}.txt]\n`;
  }
  return y;
}

console.log(
  `xpipe engine benchmark: ${new Date().toISOString()}, ${os.cpus().length} cores, Node ${process.version}, median of ${RUNS}`,
);
console.log('| case | median wall | target |\n| --- | --- | --- |');

const a = project('chain10', chain(10), { 'src/in.txt': 'hello\n' });
xpipe(a, ['repro']);
report('(a) 10-stage chain: no-op `xpipe status`', timeMedian(a, ['status']));
report('(a) 10-stage chain: no-op `xpipe repro`', timeMedian(a, ['repro']), '< 300 ms');
report(
  'node -e "" (Node start alone, for reference)',
  median(
    Array.from({ length: RUNS }, () => {
      const t = performance.now();
      execFileSync(process.execPath, ['-e', '']);
      return performance.now() - t;
    }),
  ),
);

const b = project('dag200', dag(200), { 'src/in.txt': 'hello\n' });
xpipe(b, ['repro']);
report('(b) 200-stage DAG: no-op `xpipe status`', timeMedian(b, ['status']));
report('(b) 200-stage DAG: no-op `xpipe repro`', timeMedian(b, ['repro']));

// (e) Module stages: each imports a chain of 4 helpers out of 40 (+ a shared one) and a package, so a
// no-op status walks and stats every stage's import closure (cached import lists, no parsing).
const api = pathToFileURL(path.join(REPO, 'src', 'stage-api', 'index.ts')).href;
const modFiles: Record<string, string> = {
  'package.json': '{"type":"module"}\n',
  'lib/shared.ts': "import path from 'node:path';\nexport const shared = path.sep;\n",
};
for (let i = 0; i < 40; i++) {
  modFiles[`lib/h${i}.ts`] =
    `import { shared } from './shared.js';\n${i % 4 === 3 ? '' : `import { h${i + 1} } from './h${i + 1}.js';\n`}export const h${i} = shared + ${i % 4 === 3 ? "''" : `h${i + 1}`};\n`;
}
let modYaml = 'stages:\n';
for (let i = 0; i < 10; i++) {
  modFiles[`stages/m${i}.ts`] =
    `import fs from 'node:fs';\nimport { defineStage } from '${api}';\nimport { h${(i % 10) * 4} } from '../lib/h${(i % 10) * 4}.js';\nexport default defineStage({ run(ctx) { fs.mkdirSync(ctx.path('out'), { recursive: true }); fs.writeFileSync(ctx.path('out/m${i}.txt'), h${(i % 10) * 4}); } });\n`;
  modYaml += `  m${i}:\n    module: stages/m${i}.ts\n    params: [p]\n    outs: [out/m${i}.txt]\n`;
}
const e = project('modules10', modYaml, modFiles);
xpipe(e, ['repro', '--jobs', '2']);
report('(e) 10 module stages, 41 imported files: no-op `xpipe status`', timeMedian(e, ['status']));
report('(e) 10 module stages, 41 imported files: no-op `xpipe repro`', timeMedian(e, ['repro']), '< 300 ms');
fs.rmSync(e, { recursive: true, force: true });
if (args.includes('--quick')) {
  for (const d of [a, b]) fs.rmSync(d, { recursive: true, force: true });
  process.exit(0);
}

const c = project(
  'files100k',
  'stages:\n  count:\n    cmd: ls data | wc -l > count.txt\n    deps: [data]\n    outs: [count.txt]\n',
);
for (let i = 0; i < FILES; i++) {
  const sub = path.join(c, 'data', `d${Math.floor(i / 1000)}`);
  if (i % 1000 === 0) fs.mkdirSync(sub, { recursive: true });
  fs.writeFileSync(path.join(sub, `f${i}.txt`), `file ${i}\n`);
}
xpipe(c, ['repro']);
const cold = median(
  Array.from({ length: 3 }, () => {
    fs.rmSync(path.join(c, '.xpipe', 'state'), { recursive: true, force: true });
    return xpipe(c, ['status']);
  }),
);
xpipe(c, ['status']);
report(`(c) ${FILES} files: cold \`xpipe status\` (no state index, hashes every file)`, cold);
report(`(c) ${FILES} files: warm \`xpipe status\` (state index)`, timeMedian(c, ['status'], 5), '< 1500 ms');
report(`(c) ${FILES} files: warm no-op \`xpipe repro\``, timeMedian(c, ['repro'], 5));

const bigFile = path.join(c, 'big.bin');
const chunk = crypto.randomBytes(64 << 20);
const fd = fs.openSync(bigFile, 'w');
for (let i = 0; i < 16; i++) fs.writeSync(fd, chunk);
fs.closeSync(fd);
const hashMs = median(
  Array.from({ length: 3 }, () => {
    const t = performance.now();
    fileHasher.hashFile(bigFile);
    return performance.now() - t;
  }),
);
const mbps = 1024 / (hashMs / 1000);
rows.push(`| hashing a 1 GiB file (sha1, 1 MiB reads, page cache warm) | ${mbps.toFixed(0)} MiB/s | >= 1 GB/s |`);
console.log(rows.at(-1));
for (const algo of ['md5', 'sha1', 'sha256']) {
  const t = performance.now();
  for (let i = 0; i < 4; i++) crypto.createHash(algo).update(chunk).digest();
  const line = `| in-memory ${algo} (256 MiB) | ${(256 / ((performance.now() - t) / 1000)).toFixed(0)} MiB/s | |`;
  rows.push(line);
  console.log(line);
}

for (const d of [a, b, c]) fs.rmSync(d, { recursive: true, force: true });
if (args.includes('--write')) {
  const out = path.join(REPO, 'bench', 'results', 'engine.md');
  const text = [
    '# Engine benchmark results',
    '',
    `Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC. Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), shared with other engineers running tests, so figures are noisy. Node ${process.version}.`,
    `Command: \`npm run build && npx tsx bench/engine.ts --write\`. Wall times of the real CLI (Node start included), median of ${RUNS} runs (3 for cold, 5 for 100k warm).`,
    '',
    '| case | median | target |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  fs.writeFileSync(out, text);
  console.log(`wrote ${path.relative(REPO, out)}`);
}

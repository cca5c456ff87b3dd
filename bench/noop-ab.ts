/**
 * Side-by-side no-op benchmark of two xpipe builds (run by hand, not a test):
 *
 *   npx tsx bench/noop-ab.ts --before DIR [--runs N] [--repo]
 *
 * DIR is another xpipe checkout with a built CLI (e.g. `git worktree add DIR <rev> && cd DIR && npm run build`).
 * Each build gets its own copy of the 10-stage chain of bench/engine.ts (their lock formats may differ);
 * no-op `repro` and `status` are then timed alternately, before/after/before/after..., so both see the
 * same machine load. Prints medians and the median of the per-pair ratios (after / before), plus Node's
 * own start-up for reference. `--repo` also times no-op `repro`/`status` of this repository's pipeline in
 * both checkouts (each workspace must be up to date with its own pipeline.lock).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const beforeDir = opt('--before');
if (!beforeDir) {
  console.error('usage: npx tsx bench/noop-ab.ts --before DIR [--runs N] [--repo]');
  process.exit(2);
}
const RUNS = Number(opt('--runs')) || 15;
const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = {
  before: path.join(path.resolve(beforeDir), 'bin', 'xpipe.js'),
  after: path.join(REPO, 'bin', 'xpipe.js'),
};

function run(bin: string, dir: string, cmd: string[]): number {
  const t = performance.now();
  execFileSync(process.execPath, [bin, ...cmd], { cwd: dir, stdio: 'ignore' });
  return performance.now() - t;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function chainProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-noop-ab-'));
  let y = 'stages:\n';
  for (let i = 0; i < 10; i++) {
    const dep = i === 0 ? 'src/in.txt' : `out/s${i - 1}.txt`;
    y += `  s${i}:\n    cmd: mkdir -p out && cp ${dep} out/s${i}.txt\n    deps: [${dep}]\n    params: [p]\n    outs: [out/s${i}.txt]\n`;
  }
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), y);
  fs.writeFileSync(path.join(dir, 'params.yaml'), 'p: {x: 1}\n');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'in.txt'), 'hello\n');
  return dir;
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(
  `no-op A/B: ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ${RUNS} pairs, load ${load()}`,
);
const dirs = { before: chainProject(), after: chainProject() };
run(BIN.before, dirs.before, ['repro']);
run(BIN.after, dirs.after, ['repro']);
console.log('| case | before (median) | after (median) | after/before (median of pairs) |\n| --- | --- | --- | --- |');
for (const cmd of [['repro'], ['status']]) {
  const b: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    b.push(run(BIN.before, dirs.before, cmd));
    a.push(run(BIN.after, dirs.after, cmd));
  }
  const ratios = a.map((x, i) => x / b[i]);
  console.log(
    `| 10-stage chain, no-op \`xpipe ${cmd.join(' ')}\` | ${median(b).toFixed(0)} ms | ${median(a).toFixed(0)} ms | ${median(ratios).toFixed(2)} |`,
  );
}
const nodeStart = median(
  Array.from({ length: RUNS }, () => {
    const t = performance.now();
    execFileSync(process.execPath, ['-e', '']);
    return performance.now() - t;
  }),
);
console.log(`| \`node -e ""\` (Node start alone) | ${nodeStart.toFixed(0)} ms | | |`);
if (args.includes('--repo')) {
  // This repository's own pipeline, in both checkouts: each workspace must be up to date with its own lock
  // (copy data/, models/ and reports/ over: the outs are byte-identical between the two builds).
  for (const cmd of [['repro'], ['status']]) {
    const b: number[] = [];
    const a: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      b.push(run(BIN.before, path.resolve(beforeDir), cmd));
      a.push(run(BIN.after, REPO, cmd));
    }
    const ratios = a.map((x, i) => x / b[i]);
    console.log(
      `| this repository's pipeline (7 stages), no-op \`xpipe ${cmd.join(' ')}\` | ${median(b).toFixed(0)} ms | ${median(a).toFixed(0)} ms | ${median(ratios).toFixed(2)} |`,
    );
  }
}
console.log(`load at the end: ${load()}`);
for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true });

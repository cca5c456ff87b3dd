/**
 * Slurm executor benchmark (run by hand, not a test): `npx tsx bench/slurm.ts [--write] [--runs N]`.
 * Starts a private single-node Slurm (tests/servers; root and the Debian packages needed), then measures
 * with the real CLI (Node start included), median of N runs:
 *  (a) per-stage overhead: a chain of 5 trivial cmd stages, `repro --force` local vs `--executor slurm`
 *      (submission to completion, one job per stage, as the chain runs stage after stage);
 *  (b) a 4-point `exp run --sweep` whose stage sleeps 2 s: local `--jobs 2` vs Slurm `--jobs 4`
 *      (the test node has as many CPUs as this machine, so Slurm runs as many points at once as it has cores).
 * `--write` writes bench/results/slurm-<date>.md. Requires a built CLI (`npm run build`).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSlurm } from '../tests/servers/index.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(REPO, 'bin', 'xpipe.js');
const args = process.argv.slice(2);
const RUNS = Number(args[args.indexOf('--runs') + 1]) || 3;
const CHAIN = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timed(dir: string, cmd: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  execFileSync(process.execPath, [BIN, ...cmd], { cwd: dir, stdio: 'ignore', env });
  return performance.now() - t;
}

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-bench-slurm-'));
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
  return dir;
}

function chainPipeline(): string {
  const stages = Array.from(
    { length: CHAIN },
    (_, i) =>
      `  s${i}:\n    cmd: echo ${i} ${i > 0 ? `| cat - s${i - 1}.txt ` : ''}> s${i}.txt\n${i > 0 ? `    deps: [s${i - 1}.txt]\n` : ''}    outs: [s${i}.txt]\n`,
  );
  return `stages:\n${stages.join('')}`;
}

const SWEEP_FILES = {
  'params.yaml': 'train:\n  lr: 1\n',
  'pipeline.yaml':
    'stages:\n  train:\n    cmd: sleep 2 && cp params.yaml out.yaml\n    params: [train.lr]\n    outs: [out.yaml]\n',
};

async function main(): Promise<void> {
  const server = await startSlurm();
  const env = { ...process.env, ...server.info.env };
  const rows: string[] = [];
  try {
    const chain = project({ 'pipeline.yaml': chainPipeline() });
    timed(chain, ['repro'], env); // warm-up (module loading, page cache)
    const local = median(Array.from({ length: RUNS }, () => timed(chain, ['repro', '--force'], env)));
    const slurm = median(
      Array.from({ length: RUNS }, () => timed(chain, ['repro', '--force', '--executor', 'slurm'], env)),
    );
    rows.push(
      `| (a) ${CHAIN}-stage chain of trivial cmd stages, \`repro --force\` | ${(local / 1000).toFixed(2)} s | ${(slurm / 1000).toFixed(2)} s | ${((slurm - local) / CHAIN / 1000).toFixed(2)} s per stage |`,
    );
    fs.rmSync(chain, { recursive: true, force: true });

    const sweep = (extra: string[]) => {
      const dir = project(SWEEP_FILES);
      const ms = timed(dir, ['exp', 'run', '--sweep', 'train.lr=1,2,3,4', ...extra], env);
      fs.rmSync(dir, { recursive: true, force: true });
      return ms;
    };
    const sweepLocal = median(Array.from({ length: RUNS }, () => sweep(['--jobs', '2'])));
    const sweepSlurm = median(Array.from({ length: RUNS }, () => sweep(['--jobs', '4', '--executor', 'slurm'])));
    rows.push(
      `| (b) 4-point sweep, stage sleeps 2 s; local \`--jobs 2\` vs Slurm \`--jobs 4\` | ${(sweepLocal / 1000).toFixed(2)} s | ${(sweepSlurm / 1000).toFixed(2)} s | ${((sweepSlurm - sweepLocal) / 1000).toFixed(2)} s |`,
    );
  } finally {
    await server.stop();
  }
  const load = os.loadavg()[0]?.toFixed(1);
  const text = [
    `# Slurm executor benchmark (${new Date().toISOString().slice(0, 10)})`,
    '',
    `\`npx tsx bench/slurm.ts --write --runs ${RUNS}\`: private single-node Slurm 22.05 on loopback (${os.availableParallelism()} CPUs, load average ${load} at the end), median of ${RUNS} runs, wall time of the real CLI.`,
    '',
    '| Case | local | Slurm | difference |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(text);
  if (args.includes('--write'))
    fs.writeFileSync(path.join(REPO, 'bench', 'results', `slurm-${new Date().toISOString().slice(0, 10)}.md`), text);
}

await main();

/**
 * S3 remote benchmark (run by hand, not a test): `npx tsx bench/remote-s3.ts [--rounds N] [--write]`.
 * Starts a private Swift S3 server on loopback (tests/servers), builds two projects whose one stage makes
 * (a) a directory of 1,000 × 4 KiB files and (b) one 64 MiB file, then, interleaved in each round:
 * `xpipe push -j J` and `xpipe pull -j J` (into an emptied cache and workspace) for J = 1, 4, 16, and
 * `/usr/bin/aws s3 sync` up and down of the same files (its default 10 concurrent requests), each to a fresh
 * prefix of the same bucket. Also a second `xpipe push` of an unchanged cache (bytes moved, wall time).
 * Every figure is the real CLI (Node start included), median over rounds. `--write` writes
 * bench/results/remote-s3-<date>.md. Requires a built CLI (`npm run build`) and root (Swift's test setup).
 */
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSwiftS3 } from '../tests/servers/index.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(REPO, 'bin', 'xpipe.js');
const args = process.argv.slice(2);
const ROUNDS = Number(args[args.indexOf('--rounds') + 1]) || 3;
const JOBS = [1, 4, 16];

const server = await startSwiftS3();
const w = server.info;
const env = { ...process.env, ...w.env };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-bench-s3-'));

function run(cmd: string, argv: string[], cwd: string): { ms: number; out: string } {
  const t = performance.now();
  const out = execFileSync(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
  return { ms: performance.now() - t, out };
}
const xpipe = (dir: string, ...a: string[]) => run(process.execPath, [BIN, ...a], dir);
const aws = (dir: string, ...a: string[]) => run('/usr/bin/aws', ['--endpoint-url', w.endpoint, ...a], dir);

interface Dataset {
  name: string;
  dir: string;
  out: string;
  bytes: number;
}

function makeProject(name: string, cmd: string, out: string): Dataset {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'pipeline.yaml'), `stages:\n  gen:\n    cmd: ${cmd}\n    outs: [${out}]\n`);
  xpipe(dir, 'repro');
  xpipe(dir, 'remote', 'add', '-d', 'origin', `s3://${w.bucket}/${name}-init`);
  xpipe(dir, 'remote', 'modify', 'origin', 'endpoint', w.endpoint);
  const bytes = Number(
    execFileSync('du', ['-sb', '--apparent-size', path.join(dir, out)])
      .toString()
      .split('\t')[0],
  );
  return { name, dir, out, bytes };
}

const small = makeProject(
  'small',
  `node -e "const fs=require('fs');fs.mkdirSync('data',{recursive:true});for(let i=0;i<1000;i++)fs.writeFileSync('data/f'+i,require('crypto').randomBytes(4096))"`,
  'data',
);
const large = makeProject('large', `head -c 67108864 /dev/urandom > big.bin`, 'big.bin');

type Key = string;
const times = new Map<Key, number[]>();
const note = (k: Key, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
const secondPush: { ms: number[]; bytes: number[] } = { ms: [], bytes: [] };

for (let round = 0; round < ROUNDS; round++) {
  for (const d of [small, large]) {
    const tag = () => `${d.name}-${crypto.randomBytes(4).toString('hex')}`;
    // aws s3 sync of the same files, up then down.
    const prefix = tag();
    note(
      `${d.name} aws up`,
      aws(
        d.dir,
        's3',
        'sync',
        '--quiet',
        path.join(d.dir, d.out === 'data' ? 'data' : ''),
        `s3://${w.bucket}/${prefix}/`,
        ...(d.out === 'data' ? [] : ['--exclude', '*', '--include', 'big.bin']),
      ).ms,
    );
    const down = fs.mkdtempSync(path.join(root, 'down-'));
    note(`${d.name} aws down`, aws(d.dir, 's3', 'sync', '--quiet', `s3://${w.bucket}/${prefix}/`, down).ms);
    fs.rmSync(down, { recursive: true, force: true });
    for (const j of JOBS) {
      xpipe(d.dir, 'remote', 'modify', 'origin', 'url', `s3://${w.bucket}/${tag()}`);
      note(`${d.name} xpipe push -j ${j}`, xpipe(d.dir, 'push', '-j', String(j)).ms);
      if (j === 16) {
        const again = xpipe(d.dir, 'push', '--json');
        secondPush.ms.push(again.ms);
        secondPush.bytes.push((JSON.parse(again.out) as { bytes: number }).bytes);
      }
      fs.rmSync(path.join(d.dir, 'cache'), { recursive: true, force: true });
      fs.rmSync(path.join(d.dir, d.out), { recursive: true, force: true });
      note(`${d.name} xpipe pull -j ${j}`, xpipe(d.dir, 'pull', '-j', String(j)).ms);
    }
  }
  process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines: string[] = [];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
for (const d of [small, large]) {
  const up = median(times.get(`${d.name} aws up`) ?? []);
  const dn = median(times.get(`${d.name} aws down`) ?? []);
  lines.push(
    `| ${d.name === 'small' ? '1,000 × 4 KiB' : '1 × 64 MiB'} | aws s3 sync (10 concurrent) | ${s(up)} | 1.00 | ${s(dn)} | 1.00 |`,
  );
  for (const j of JOBS) {
    const pu = median(times.get(`${d.name} xpipe push -j ${j}`) ?? []);
    const pl = median(times.get(`${d.name} xpipe pull -j ${j}`) ?? []);
    lines.push(`| | xpipe -j ${j} | ${s(pu)} | ${(pu / up).toFixed(2)} | ${s(pl)} | ${(pl / dn).toFixed(2)} |`);
  }
}
const load = os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
const report = [
  `# S3 remote benchmark, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average at the end ${load} (shared with other sessions).`,
  `Server: OpenStack Swift S3 API on loopback (tests/servers, 1 replica). Command: \`npx tsx bench/remote-s3.ts --rounds ${ROUNDS}${args.includes('--write') ? ' --write' : ''}\`.`,
  `Median of ${ROUNDS} interleaved rounds; wall time of the real CLI (Node start included); ratio = time / aws s3 sync time (lower is better). Pull = fetch + checkout into an emptied cache/ and workspace.`,
  '',
  '| data | tool | push (upload) | ratio | pull (download) | ratio |',
  '|---|---|---|---|---|---|',
  ...lines,
  '',
  `Second \`xpipe push\` of an unchanged cache (-j 16 default, right after the push): median ${s(median(secondPush.ms))}, bytes moved ${[...new Set(secondPush.bytes)].join(', ')}.`,
  '',
  `Raw times (ms): ${JSON.stringify(Object.fromEntries([...times].map(([k, v]) => [k, v.map((x) => Math.round(x))])))}`,
  '',
].join('\n');
process.stdout.write(report);
if (args.includes('--write'))
  fs.writeFileSync(
    path.join(REPO, 'bench', 'results', `remote-s3-${new Date().toISOString().slice(0, 10)}.md`),
    report,
  );
fs.rmSync(root, { recursive: true, force: true });
await server.stop();

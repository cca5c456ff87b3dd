// SSH remote benchmark: push and pull of 1,000 × 4 KiB objects and of 1 × 64 MiB through xpipe's SSH
// backend (the engine's moveObjects between the local cache store and the remote, as `xpipe push/fetch`
// do) at -j 1/4/8, against `rsync -e ssh` and `sftp -b` of the same files with the same key and server,
// interleaved round by round so machine load hits every method alike. Prints a Markdown table of medians
// and the ratios to rsync.
// Usage: npx tsx bench/remote-ssh.ts [--rounds 3]
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalObjectStore, type ObjectId } from '../src/engine/index.js';
import { moveObjects } from '../src/engine/remote/move-objects.js';
import { openRemote } from '../src/engine/remote/registry.js';
import { parseRemoteUrl } from '../src/engine/remote/remote-url.js';
import { startSshd } from '../tests/servers/index.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1] || 3) || 3;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-bench-ssh-'));
const h = await startSshd();
const s = h.info;
const home = path.join(scratch, 'home');
fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
fs.writeFileSync(path.join(home, '.ssh', 'known_hosts'), `${s.knownHostsLine}\n`);
process.env.HOME = home;
delete process.env.SSH_AUTH_SOCK;

interface DataSet {
  name: string;
  store: LocalObjectStore;
  ids: ObjectId[];
  bytes: number;
}

function makeSet(name: string, count: number, size: number): DataSet {
  const store = new LocalObjectStore(path.join(scratch, `src-${name}`));
  const ids: ObjectId[] = [];
  for (let i = 0; i < count; i++) {
    const b = crypto.randomBytes(size);
    const id = crypto.createHash('sha1').update(b).digest('hex') as ObjectId;
    const p = store.objectPath(id);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, b);
    ids.push(id);
  }
  return { name, store, ids, bytes: count * size };
}

const sets = [makeSet('1000x4KiB', 1000, 4096), makeSet('1x64MiB', 1, 64 << 20)];
const sshCmd = ['ssh', ...s.clientArgs, '-p', String(s.port)].join(' ');
const remoteDir = (tag: string) => path.join(s.baseDir, tag);
const clean = (p: string) => fs.rmSync(p, { recursive: true, force: true });

async function xpipe(set: DataSet, jobs: number, dir: 'push' | 'pull'): Promise<number> {
  const rdir = remoteDir(`x-${set.name}`);
  const url = `ssh://${s.user}@${s.host}:${s.port}${rdir}`;
  const u = parseRemoteUrl(url, scratch);
  if (!u.ok) throw new Error(u.error);
  const cfg = { name: 'bench', url: u.value, settings: { url, keyfile: s.privateKeyPath } };
  if (dir === 'push') clean(rdir);
  const dest = new LocalObjectStore(path.join(scratch, `dest-${set.name}`));
  clean(dest.dir);
  const t0 = performance.now();
  const r = await openRemote(cfg, scratch, { create: true });
  try {
    const sizes = new Map<ObjectId, number>();
    if (dir === 'push')
      await moveObjects(set.store, r.objects, set.ids, { direction: 'push', jobs, verify: false, sizes, remote: cfg });
    else await moveObjects(r.objects, dest, set.ids, { direction: 'fetch', jobs, verify: true, sizes, remote: cfg });
  } finally {
    await r.close();
  }
  return performance.now() - t0;
}

function timed(cmd: string, args: string[], input?: string): number {
  const t0 = performance.now();
  execFileSync(cmd, args, { stdio: ['pipe', 'ignore', 'pipe'], ...(input !== undefined ? { input } : {}) });
  return performance.now() - t0;
}

function rsync(set: DataSet, dir: 'push' | 'pull'): number {
  const rdir = remoteDir(`r-${set.name}`);
  const local = path.join(scratch, `rsync-${set.name}`);
  if (dir === 'push') {
    clean(rdir);
    return timed('rsync', ['-a', '-e', sshCmd, `${set.store.dir}/`, `${s.user}@${s.host}:${rdir}/`]);
  }
  clean(local);
  return timed('rsync', ['-a', '-e', sshCmd, `${s.user}@${s.host}:${rdir}/`, `${local}/`]);
}

function sftp(set: DataSet, dir: 'push' | 'pull'): number {
  const rdir = remoteDir(`s-${set.name}`);
  const local = path.join(scratch, `sftp-${set.name}`);
  const args = [...s.clientArgs, '-P', String(s.port), '-b', '-', `${s.user}@${s.host}`];
  if (dir === 'push') {
    clean(rdir);
    return timed('sftp', args, `put -r ${set.store.dir} ${rdir}\n`);
  }
  clean(local);
  return timed('sftp', args, `get -r ${rdir} ${local}\n`);
}

const methods: { name: string; run: (set: DataSet, dir: 'push' | 'pull') => Promise<number> | number }[] = [
  ...[1, 4, 8].map((j) => ({ name: `xpipe -j ${j}`, run: (set: DataSet, d: 'push' | 'pull') => xpipe(set, j, d) })),
  { name: 'rsync -e ssh', run: rsync },
  { name: 'sftp -b', run: sftp },
];

const times = new Map<string, number[]>();
const started = new Date();
const loadBefore = os.loadavg();
for (let round = 0; round < rounds; round++) {
  for (const set of sets) {
    for (const dir of ['push', 'pull'] as const) {
      for (const m of methods) {
        const key = `${set.name}|${dir}|${m.name}`;
        times.set(key, [...(times.get(key) ?? []), await m.run(set, dir)]);
      }
    }
  }
}
const loadAfter = os.loadavg();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const lines = [
  `date: ${started.toISOString()}`,
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, node ${process.version}`,
  `command: npx tsx bench/remote-ssh.ts --rounds ${rounds}`,
  `load average (1 min) before/after: ${loadBefore[0]?.toFixed(1)} / ${loadAfter[0]?.toFixed(1)}`,
  '',
  '| data | direction | method | median s | × rsync time |',
  '| --- | --- | --- | --- | --- |',
];
for (const set of sets) {
  for (const dir of ['push', 'pull']) {
    const base = median(times.get(`${set.name}|${dir}|rsync -e ssh`) as number[]);
    for (const m of methods) {
      const t = median(times.get(`${set.name}|${dir}|${m.name}`) as number[]);
      lines.push(`| ${set.name} | ${dir} | ${m.name} | ${(t / 1000).toFixed(2)} | ${(t / base).toFixed(2)} |`);
    }
  }
}
console.log(lines.join('\n'));
await h.stop();
clean(scratch);

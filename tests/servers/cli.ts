// Runs the test servers by hand, for development and benchmarks:
//   npx tsx tests/servers/cli.ts [--run-dir DIR] [sshd] [swift-s3] [slurm]
// starts them (all three by default), prints their connection info as JSON and shell exports, and keeps
// them up until Ctrl-C / SIGTERM, then stops them. With --run-dir, `XPIPE_TEST_SERVERS_DIR=DIR npx vitest`
// reuses these servers instead of starting its own (a server not started here is started on first use
// and stopped when this CLI exits).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedServer, stopSharedServers, type SharedRun } from './shared.js';
import { startSlurm } from './slurm.js';
import { startSshd } from './sshd.js';
import { startSwiftS3 } from './swift.js';
import type { ServerKind } from './common.js';

const starters = { sshd: startSshd, 'swift-s3': startSwiftS3, slurm: startSlurm } as const;

async function main(argv: string[]): Promise<void> {
  const i = argv.indexOf('--run-dir');
  const runDir = i >= 0 ? path.resolve(argv.splice(i, 2)[1] ?? '') : fs.mkdtempSync(path.join(os.tmpdir(), 'xps-run-'));
  const kinds = (argv.length > 0 ? argv : Object.keys(starters)) as ServerKind[];
  const unknown = kinds.filter((k) => !(k in starters));
  if (unknown.length > 0) {
    console.error(`unknown server ${unknown.join(', ')}; choose from ${Object.keys(starters).join(', ')}`);
    process.exit(2);
  }
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'owner.pid'), String(process.pid));
  const run: SharedRun = { runDir, ownerPid: process.pid };
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stopSharedServers(runDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const kind of kinds) {
    const t0 = Date.now();
    try {
      const info: unknown = await sharedServer<unknown>(run, kind, starters[kind]);
      console.log(`# ${kind} started in ${Date.now() - t0} ms\n${JSON.stringify(info, null, 2)}`);
      for (const [k, v] of Object.entries((info as { env?: Record<string, string> }).env ?? {}))
        console.log(`export ${k}='${v}'`);
    } catch (e) {
      console.error((e as Error).message);
      await stop();
    }
  }
  console.log(`export XPIPE_TEST_SERVERS_DIR='${runDir}'\n# running; Ctrl-C stops and removes everything`);
  setInterval(() => {}, 1 << 30);
}

void main(process.argv.slice(2));

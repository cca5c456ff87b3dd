// One instance of each test server per test run, started lazily by the first test file that asks for it.
// Test files run in separate worker processes, so the instance is shared through a run directory:
// `<kind>.lock/` (mkdir is the cross-process lock), then `<kind>.json` ({info, state}) or `<kind>.error`.
// The run directory comes from XPIPE_TEST_SERVERS_DIR (servers kept up by `cli.ts --run-dir`, never
// stopped by the suite) or from the vitest globalSetup (global-setup.ts), which stops what was started.
// A watchdog process stops a server if its owner dies without stopping it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, stopServer, type ServerHandle, type ServerKind, type ServerState } from './common.js';

export interface SharedRun {
  runDir: string;
  /** The process whose death means "stop everything" (vitest's main process, or the CLI). */
  ownerPid: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    xpipeServers: SharedRun;
  }
}

const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));

export interface SharedRecord<Info> {
  info: Info;
  state: ServerState;
}

/** Returns the run's instance of `kind`, starting it with `start` if this is the first request. */
export async function sharedServer<Info>(
  run: SharedRun,
  kind: ServerKind,
  start: () => Promise<ServerHandle<Info>>,
): Promise<Info> {
  const file = path.join(run.runDir, `${kind}.json`);
  const errorFile = path.join(run.runDir, `${kind}.error`);
  let owner = false;
  try {
    fs.mkdirSync(path.join(run.runDir, `${kind}.lock`));
    owner = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (owner) {
    try {
      const handle = await start();
      publish(file, { info: handle.info, state: handle.state });
      watch(run.ownerPid, file);
      return handle.info;
    } catch (e) {
      publish(errorFile, (e as Error).message);
      throw e;
    }
  }
  // Another worker is starting it: wait for its record (Swift takes ~10 s on a loaded 2-core machine).
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as SharedRecord<Info>).info;
    if (fs.existsSync(errorFile)) throw new Error(JSON.parse(fs.readFileSync(errorFile, 'utf8')) as string);
    if (!alive(run.ownerPid) || Date.now() > deadline) {
      throw new Error(`timed out waiting for the shared ${kind} test server (run dir ${run.runDir})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function publish(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2));
  fs.renameSync(tmp, file);
}

function watch(ownerPid: number, stateFile: string): void {
  const child = spawn(process.execPath, [WATCHDOG, String(ownerPid), stateFile], { detached: true, stdio: 'ignore' });
  child.unref();
}

/** Stops every server recorded in `runDir` and removes the directory (global teardown, CLI exit). */
export async function stopSharedServers(runDir: string): Promise<void> {
  if (!fs.existsSync(runDir)) return;
  const records = fs
    .readdirSync(runDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(runDir, f));
  await Promise.all(
    records.map(async (f) => {
      const { state } = JSON.parse(fs.readFileSync(f, 'utf8')) as SharedRecord<unknown>;
      await stopServer(state);
      fs.rmSync(f, { force: true }); // tells the watchdog it is done
    }),
  );
  fs.rmSync(runDir, { recursive: true, force: true });
}

/** The shared run of this test process: XPIPE_TEST_SERVERS_DIR if set, else the globalSetup's. */
export async function currentRun(): Promise<SharedRun> {
  const external = process.env.XPIPE_TEST_SERVERS_DIR;
  if (external) {
    const owner = path.join(external, 'owner.pid');
    if (!fs.existsSync(owner))
      throw new Error(`XPIPE_TEST_SERVERS_DIR=${external} is not a run dir made by tests/servers/cli.ts`);
    return { runDir: external, ownerPid: Number(fs.readFileSync(owner, 'utf8')) };
  }
  const { inject } = await import('vitest');
  const run = inject('xpipeServers');
  if (!run) throw new Error('tests/servers/global-setup.ts is not in the vitest globalSetup list');
  return run;
}

// Stops a test server whose owner died without stopping it (vitest killed with SIGKILL, a crashed CLI):
// `node watchdog.mjs OWNER_PID STATE_FILE`. Polls once a second; when STATE_FILE disappears the owner
// stopped the server itself and the watchdog just exits. Plain JS so it starts without a TS loader;
// it repeats stopServer() of common.ts in miniature (TERM the process groups, KILL, unmount, remove).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const [ownerPid, stateFile] = [Number(process.argv[2]), process.argv[3]];

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};
const signal = (pgids, sig) =>
  pgids.forEach((pg) => {
    try {
      process.kill(-pg, sig);
    } catch {
      // already gone
    }
  });

const timer = setInterval(() => {
  if (!fs.existsSync(stateFile)) process.exit(0);
  if (alive(ownerPid)) return;
  clearInterval(timer);
  const { state } = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  signal(state.pgids, 'SIGTERM');
  setTimeout(() => {
    signal(state.pgids, 'SIGKILL');
    for (const m of state.mounts) {
      try {
        execFileSync('/usr/bin/umount', ['-l', m]);
      } catch {
        // already gone
      }
    }
    fs.rmSync(state.dir, { recursive: true, force: true });
    fs.rmSync(stateFile, { force: true });
    process.exit(0);
  }, 5_000);
}, 1_000);

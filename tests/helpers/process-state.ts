// Whether a process still runs, for tests that check that nothing outlives xpipe.
import fs from 'node:fs';

/** Alive and not a zombie (a zombie has ended; this machine's init may reap it late). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // No /proc (macOS): kill(pid, 0) is all we know.
  }
}

/**
 * Stage processes run in their own process group (detached) so a Ctrl-C or a failure elsewhere can kill a
 * stage with all its children, and so a terminal's SIGINT reaches the runner first.
 * Owns: group kill with a grace period, and a bounded tail of output lines.
 */
import type { ChildProcess } from 'node:child_process';

/** Sends SIGTERM to the child's whole group, then SIGKILL after `graceMs` if it is still alive. */
export function killGroup(child: ChildProcess, graceMs = 3000): void {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        // Already gone.
      }
    }
  };
  send('SIGTERM');
  const timer = setTimeout(() => send('SIGKILL'), graceMs);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

/** Keeps the last `max` lines of a stream of chunks. */
export class LineTail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 20) {}

  /** Adds a chunk; returns the complete lines it finished. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    return parts;
  }

  /** Flushes the unfinished line, if any. */
  end(): string[] {
    if (this.partial === '') return [];
    const last = this.partial;
    this.partial = '';
    this.lines.push(last);
    if (this.lines.length > this.max) this.lines.shift();
    return [last];
  }

  get tail(): string[] {
    return [...this.lines];
  }
}

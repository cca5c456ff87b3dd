// Helpers for the Slurm executor tests: the real CLI with SLURM_CONF of the run's test cluster, and the
// Slurm client (squeue/scontrol) to check what reached the cluster. Job names are `xpipe-<run id>-<stage>`,
// so a stage name unique to a test counts that test's submissions on the shared cluster.
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { Project, XPIPE_BIN, type RunResult } from '../helpers/project-rig.js';
import type { SlurmInfo } from '../servers/index.js';

export function env(info: SlurmInfo): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string])),
    ...info.env,
  };
}

export function spawnXpipe(p: Project, info: SlurmInfo, args: string[]) {
  return execa(process.execPath, [XPIPE_BIN, ...args], {
    reject: false,
    cwd: p.dir,
    env: env(info),
    extendEnv: false,
    stripFinalNewline: false,
  });
}

export async function runXpipe(p: Project, info: SlurmInfo, args: string[]): Promise<RunResult> {
  const r = await spawnXpipe(p, info, args);
  const stdout = String(r.stdout);
  const events = args.includes('--json')
    ? stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
  return { code: r.exitCode ?? -1, stdout, stderr: String(r.stderr), events };
}

/** Jobs (any state, finished ones for MinJobAge) whose name ends with `-<stage>`: [id, state][]. */
export function jobsOf(info: SlurmInfo, stage: string): { id: string; state: string }[] {
  const out = execFileSync('squeue', ['-h', '-t', 'all', '-o', '%i|%j|%T'], {
    env: { ...process.env, ...info.env },
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((l) => l.split('|'))
    .filter(([, name]) => name?.startsWith('xpipe-') && name.endsWith(`-${stage}`))
    .map(([id, , state]) => ({ id: id, state: state }));
}

export function scontrolJob(info: SlurmInfo, id: string): string {
  return execFileSync('scontrol', ['show', 'job', '-o', id], {
    env: { ...process.env, ...info.env },
    encoding: 'utf8',
  });
}

/** The cluster-job info events of `stage`. */
export function jobEvents(events: Record<string, unknown>[], stage: string): Record<string, unknown>[] {
  return events.filter((e) => e['reason'] === 'cluster-job' && e['type'] === 'info' && e['stage'] === stage);
}

/** Collects a running CLI's NDJSON events; `until` waits for one (seen before or after the call). */
export class EventLog {
  readonly events: Record<string, unknown>[] = [];
  private buf = '';
  private waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] =
    [];

  constructor(child: ReturnType<typeof spawnXpipe>) {
    child.stdout?.on('data', (c: Buffer) => {
      this.buf += c.toString('utf8');
      const lines = this.buf.split('\n');
      this.buf = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line) as Record<string, unknown>;
        this.events.push(e);
        for (const w of [...this.waiters])
          if (w.pred(e)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(e);
          }
      }
    });
  }

  until(pred: (e: Record<string, unknown>) => boolean, ms = 60_000): Promise<Record<string, unknown>> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${ms} ms; saw: ${JSON.stringify(this.events)}`)),
        ms,
      );
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }
}

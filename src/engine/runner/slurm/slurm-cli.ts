/**
 * The Slurm client commands, called with execFile (no shell: user commands never get quoted or
 * interpreted here) and only through their machine-readable forms: `sbatch --parsable`, `squeue -h -o`,
 * `scontrol show job -o`, `scancel`. Job state comes from `squeue -t all` (finished jobs stay listed for
 * MinJobAge), never `sacct`: clusters without accounting storage (and the test cluster) have no sacct.
 * Owns: argv and output parsing of those four commands. Does not own: when to call them (./poller.ts, ./runner.ts).
 */
import { execFile } from 'node:child_process';

export interface SlurmEnv {
  /** Environment of every client call (SLURM_CONF and friends come from here). */
  env: NodeJS.ProcessEnv;
}

export interface JobStatus {
  id: string;
  /** Slurm's long state name: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED, ... */
  state: string;
  elapsedSeconds: number;
  /** Slurm's reason (`Resources`, `Dependency`, `NonZeroExitCode`, `TimeLimit`, ...); None when none. */
  reason: string;
}

/** States after which a job never runs again. */
const TERMINAL = new Set([
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
  'SPECIAL_EXIT',
]);

export function isTerminal(state: string): boolean {
  return TERMINAL.has(state);
}

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string, timeoutMs = 60_000): Promise<Exec> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error
          ? typeof (error as { code?: unknown }).code === 'number'
            ? (error as { code: number }).code
            : -1
          : 0;
        resolve({
          code,
          stdout: String(stdout),
          stderr: String(stderr) || (error && code === -1 ? error.message : ''),
        });
      },
    );
    // A client that failed to start (or exited early) closes stdin: EPIPE is then its error, reported above.
    child.stdin?.on('error', () => {});
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Submits `script` (on stdin) with `args`; the job id, or sbatch's error text. */
export async function sbatch(
  script: string,
  args: string[],
  s: SlurmEnv,
): Promise<{ ok: true; jobId: string } | { ok: false; error: string }> {
  const r = await exec('sbatch', ['--parsable', ...args], s.env, script);
  // --parsable prints "jobid" or "jobid;cluster".
  const id = /^(\d+)(?:;\S+)?\s*$/.exec(r.stdout.trim())?.[1];
  if (r.code === 0 && id) return { ok: true, jobId: id };
  if (/ENOENT/.test(r.stderr))
    return {
      ok: false,
      error:
        'sbatch is not installed here (not on PATH). Run xpipe on a login node of the cluster, or run with --executor local.',
    };
  return {
    ok: false,
    error: (r.stderr.trim() || r.stdout.trim() || `sbatch exited with code ${r.code}`).split('\n').slice(-5).join('\n'),
  };
}

const SQUEUE_FORMAT = '%i|%T|%M|%r';

/**
 * The status of `ids` in ONE squeue call. A job Slurm no longer knows (purged after MinJobAge) is absent
 * from the map. `undefined`: squeue itself failed (controller unreachable): the caller retries later.
 */
export async function squeue(ids: readonly string[], s: SlurmEnv): Promise<Map<string, JobStatus> | undefined> {
  if (ids.length === 0) return new Map();
  let r = await exec('squeue', ['-h', '-t', 'all', '-j', ids.join(','), '-o', SQUEUE_FORMAT], s.env);
  // squeue rejects the whole call when one listed id is unknown ("Invalid job id specified"): fall back
  // to all of this user's jobs, still one call.
  if (r.code !== 0 && /invalid job id/i.test(r.stderr))
    r = await exec('squeue', ['-h', '-t', 'all', '--me', '-o', SQUEUE_FORMAT], s.env);
  if (r.code !== 0) return undefined;
  const wanted = new Set(ids);
  const out = new Map<string, JobStatus>();
  for (const line of r.stdout.split('\n')) {
    const [id, state, elapsed, reason] = line.trim().split('|');
    if (!id || !state || !wanted.has(id)) continue;
    // A state may carry a suffix on some versions ("CANCELLED by 0").
    out.set(id, {
      id,
      state: state.split(' ')[0],
      elapsedSeconds: parseElapsed(elapsed ?? ''),
      reason: reason ?? '',
    });
  }
  return out;
}

/** `ExitCode=3:0` of a job (exit status and signal), when Slurm still knows it. */
export async function jobExit(
  id: string,
  s: SlurmEnv,
): Promise<{ exitCode: number; signal: number; reason?: string } | undefined> {
  const r = await exec('scontrol', ['show', 'job', '-o', id], s.env);
  if (r.code !== 0) return undefined;
  const m = /\bExitCode=(\d+):(\d+)/.exec(r.stdout);
  const reason = /\bReason=(\S+)/.exec(r.stdout)?.[1];
  return m
    ? { exitCode: Number(m[1]), signal: Number(m[2]), ...(reason && reason !== 'None' ? { reason } : {}) }
    : undefined;
}

/** Cancels `ids` in one call; errors (already finished) are ignored. */
export async function scancel(ids: readonly string[], s: SlurmEnv): Promise<void> {
  if (ids.length > 0) await exec('scancel', [...ids], s.env);
}

/** squeue's %M: `M:SS`, `H:MM:SS` or `D-HH:MM:SS` → seconds. */
export function parseElapsed(text: string): number {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(text.trim());
  if (!m) return 0;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

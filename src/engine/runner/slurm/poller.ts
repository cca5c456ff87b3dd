/**
 * One poller per Slurm runner: every interval it asks `squeue` ONCE about all jobs being waited for
 * (stages and sweep points alike), and hands each waiter its job's status. The interval starts short (a
 * trivial job completes in about a second) and backs off to `maxMs` while nothing changes; a new job or a
 * state change resets it. A job squeue no longer lists is reported as `gone` (its result record decides).
 * Owns: the polling loop and back-off. Does not own: what a state means for a stage (./runner.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { squeue, type JobStatus, type SlurmEnv } from './slurm-cli.js';

export interface PollOptions {
  minMs: number;
  maxMs: number;
}

type Listener = (status: JobStatus | 'gone') => void;

export class SlurmPoller {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly last = new Map<string, string>();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private interval: number;
  /** Jobs asked about by each squeue call (tests check there is one call per interval for all jobs). */
  readonly batches: number[] = [];

  constructor(
    private readonly slurm: SlurmEnv,
    private readonly opts: PollOptions,
  ) {
    this.interval = opts.minMs;
  }

  /** Calls `listener` with the job's status after every poll until the returned function is called. */
  watch(jobId: string, listener: Listener): () => void {
    const set = this.listeners.get(jobId) ?? new Set();
    set.add(listener);
    this.listeners.set(jobId, set);
    // A burst of submissions (a sweep) must not become a burst of squeue calls: only cut a long back-off short.
    const backedOff = this.interval > this.opts.minMs;
    this.interval = this.opts.minMs;
    if (backedOff) this.wake?.();
    this.loop ??= this.run().finally(() => (this.loop = undefined));
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.listeners.delete(jobId);
        this.last.delete(jobId);
      }
    };
  }

  /** Poll again soon (after scancel: the cancelled stages want to hear that their jobs ended). */
  hurry(): void {
    this.interval = this.opts.minMs;
    this.wake?.();
  }

  private async run(): Promise<void> {
    // A just-submitted job is not done yet; waiting one interval first lets a burst of submissions (a
    // sweep, parallel stages) share the first call.
    await sleep(this.opts.minMs);
    while (this.listeners.size > 0) {
      const ids = [...this.listeners.keys()];
      this.batches.push(ids.length);
      const statuses = await squeue(ids, this.slurm);
      let changed = false;
      if (statuses) {
        for (const id of ids) {
          const s = statuses.get(id);
          const key = s ? s.state : 'gone';
          if (this.last.get(id) !== key) changed = true;
          this.last.set(id, key);
          for (const l of [...(this.listeners.get(id) ?? [])]) l(s ?? 'gone');
        }
      }
      this.interval = changed ? this.opts.minMs : Math.min(this.opts.maxMs, Math.round(this.interval * 1.5));
      if (this.listeners.size === 0) break;
      const ac = new AbortController();
      this.wake = () => ac.abort();
      await sleep(this.interval, undefined, { signal: ac.signal }).catch(() => {});
      this.wake = undefined;
    }
  }
}

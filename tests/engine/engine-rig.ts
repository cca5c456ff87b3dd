// In-process rig for engine unit tests: a temp project opened through the real `openProject`, and a
// controllable StageRunner (the scheduler's injected seam) that runs in this process, so tests can hold a
// stage, see which stages are running at once and count invocations without spawning anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openProject, type Project } from '../../src/engine/project.js';
import { RunnerRegistry } from '../../src/engine/runner/registry.js';
import type { RunOutcome, RunRequest, StageRunner } from '../../src/engine/runner/types.js';
import type { EngineEvent } from '../../src/engine/model/events.js';

export class TempProject {
  readonly root: string;

  constructor(files: Record<string, string>) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-unit-'));
    for (const [rel, content] of Object.entries(files)) this.write(rel, content);
  }

  abs(rel: string): string {
    return path.join(this.root, rel);
  }

  write(rel: string, content: string): void {
    fs.mkdirSync(path.dirname(this.abs(rel)), { recursive: true });
    fs.writeFileSync(this.abs(rel), content);
  }

  read(rel: string): string {
    return fs.readFileSync(this.abs(rel), 'utf8');
  }

  exists(rel: string): boolean {
    return fs.existsSync(this.abs(rel));
  }

  /** Opens the project as a command would, every stage on `runner`. */
  open(runner: StageRunner): Project {
    const p = openProject({ root: this.root, runners: new RunnerRegistry({ local: runner }) });
    if (!p.ok) throw new Error(p.error.map((d) => d.message).join('\n'));
    return p.value;
  }

  [Symbol.dispose](): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** What a test stage does when it runs (default: write each declared out). */
export type StageBehaviour = (req: RunRequest) => Promise<RunOutcome> | RunOutcome;

interface Held {
  release: () => void;
  gate: Promise<void>;
}

/**
 * A StageRunner the test controls: `hold(name)` makes that stage wait in `run` until `release(name)`;
 * `started(name)` resolves when it has entered `run`. Tracks calls and the peak number running at once.
 */
export class TestRunner implements StageRunner {
  readonly calls: string[] = [];
  active = 0;
  maxActive = 0;
  private readonly held = new Map<string, Held>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private countWaiters: { n: number; r: () => void }[] = [];

  constructor(private readonly behaviours: Record<string, StageBehaviour> = {}) {}

  on(stage: string, behaviour: StageBehaviour): this {
    this.behaviours[stage] = behaviour;
    return this;
  }

  hold(...stages: string[]): void {
    for (const s of stages) {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      this.held.set(s, { release, gate });
    }
  }

  release(stage: string): void {
    this.held.get(stage)?.release();
  }

  started(stage: string): Promise<void> {
    if (this.calls.includes(stage)) return Promise.resolve();
    return new Promise((r) => this.waiters.set(stage, [...(this.waiters.get(stage) ?? []), r]));
  }

  /** Resolves once `n` runs have started in total. */
  whenCalls(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((r) => this.countWaiters.push({ n, r }));
  }

  count(stage: string): number {
    return this.calls.filter((c) => c === stage).length;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    const name = req.stage.name;
    this.calls.push(name);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    for (const w of this.waiters.get(name) ?? []) w();
    this.waiters.delete(name);
    for (const w of this.countWaiters.filter((w) => this.calls.length >= w.n)) w.r();
    this.countWaiters = this.countWaiters.filter((w) => this.calls.length < w.n);
    try {
      await this.held.get(name)?.gate;
      return await (this.behaviours[name] ?? writeOuts)(req);
    } finally {
      this.active--;
    }
  }
}

/** The default stage: writes every declared out as `<stage> <params as JSON>`, plus its deps' contents. */
export function writeOuts(req: RunRequest): RunOutcome {
  const deps = req.stage.deps.map((d) => fs.readFileSync(path.join(req.root, d.path), 'utf8')).join('');
  for (const o of req.stage.outs) {
    fs.mkdirSync(path.dirname(path.join(req.root, o.path)), { recursive: true });
    fs.writeFileSync(path.join(req.root, o.path), `${req.stage.name} ${JSON.stringify(req.params)}\n${deps}`);
  }
  return { ok: true };
}

/** A stage that exits non-zero without writing anything. */
export const failing: StageBehaviour = (req) => ({
  ok: false,
  failure: {
    type: 'failure',
    reason: 'exit-non-zero',
    stage: req.stage.name,
    command: 'test',
    exitCode: 3,
    stderrTail: [],
  },
});

/** Collects events; `reasons()` lists `stage:reason` for stage events in order. */
export function eventLog(): {
  events: EngineEvent[];
  emit: (e: EngineEvent) => void;
  of: (reason: string) => string[];
} {
  const events: EngineEvent[] = [];
  return {
    events,
    emit: (e) => void events.push(e),
    of: (reason) =>
      events.filter((e) => e.reason === reason && 'stage' in e).map((e) => String((e as { stage?: string }).stage)),
  };
}

/** Resolves once `cond()` holds (checked every 5 ms); rejects naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

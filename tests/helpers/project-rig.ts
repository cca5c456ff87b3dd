// A temp project for integration/e2e tests: files from an object map, the real CLI (node bin/xpipe.js)
// in a child process with a scrubbed env, NDJSON event parsing, and file barriers for a controllable stage.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execa, type ResultPromise } from 'execa';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const XPIPE_BIN = path.join(REPO_ROOT, 'bin', 'xpipe.js');
/** Absolute file URL of the stage API, for stage modules written into temp projects. */
export const STAGE_API_URL = pathToFileURL(path.join(REPO_ROOT, 'src', 'stage-api', 'index.ts')).href;
/** A controllable fake stage command: `node "$BARRIER" NAME` (see barrier-stage.mjs). */
export const BARRIER_SCRIPT = path.join(REPO_ROOT, 'tests', 'helpers', 'barrier-stage.mjs');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Parsed NDJSON lines of stdout (only with --json). */
  events: Record<string, unknown>[];
}

export class Project {
  constructor(readonly dir: string) {}

  static create(files: Record<string, string> = {}): Project {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xpipe-test-'));
    const p = new Project(dir);
    p.write('package.json', '{"type":"module"}\n');
    for (const [rel, content] of Object.entries(files)) p.write(rel, content);
    return p;
  }

  abs(rel: string): string {
    return path.join(this.dir, rel);
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

  /** Lines of a counter file that stage commands append to (0 when absent). */
  count(rel = 'counter'): number {
    return this.exists(rel)
      ? this.read(rel)
          .split('\n')
          .filter((l) => l !== '').length
      : 0;
  }

  /** Starts the CLI without waiting (for SIGINT and concurrency tests). */
  spawn(args: string[]): ResultPromise<{
    reject: false;
    cwd: string;
    env: Record<string, string>;
    extendEnv: false;
    stripFinalNewline: false;
  }> {
    return execa(process.execPath, [XPIPE_BIN, ...args], {
      reject: false,
      cwd: this.dir,
      env: scrubbedEnv(),
      extendEnv: false,
      stripFinalNewline: false,
    });
  }

  async run(args: string[]): Promise<RunResult> {
    const r = await this.spawn(args);
    const stdout = String(r.stdout);
    const events = args.includes('--json')
      ? stdout
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
    return { code: r.exitCode ?? -1, stdout, stderr: String(r.stderr), events };
  }

  /** Resolves when `rel` exists (stage barrier files); rejects after `ms`. */
  async waitFor(rel: string, ms = 20_000): Promise<void> {
    const end = Date.now() + ms;
    while (!this.exists(rel)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${rel}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function scrubbedEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot'];
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k] as string]));
}

/** Stage names of events with a given reason, in order. */
export function stagesWith(events: Record<string, unknown>[], reason: string): string[] {
  return events.filter((e) => e['reason'] === reason).map((e) => String(e['stage']));
}

/**
 * The human renderer of engine events: one exhaustive switch, so an event nobody renders does not compile.
 * On a TTY, progress is one live line (redrawn in place, cleared before other output); otherwise a plain
 * progress line is printed at most every PLAIN_PROGRESS_MS per stage.
 */
import { assertNever } from '../../engine/index.js';
import type { EngineEvent } from '../../engine/index.js';
import { codeWarningKey, formatCodeWarning, formatReason } from './reasons.js';
import { formatDiagnostic } from './diagnostic.js';
import { formatMs, formatProgress } from './progress-line.js';

const PLAIN_PROGRESS_MS = 5000;

export interface Writer {
  write(text: string): unknown;
}

/** Text for one event, or undefined when it prints nothing by itself (progress is handled by the reporter). */
export function formatEvent(e: EngineEvent): string | undefined {
  switch (e.type) {
    case 'info':
      switch (e.reason) {
        case 'waiting-for-lock':
          return `waiting for another xpipe process (pid ${e.pid}) working in this project to finish...`;
        case 'watching':
          return `watching ${e.paths} files and folders for changes (Ctrl-C to stop)...`;
        case 'running':
          return `running ${e.stage}: ${e.reasons.map(formatReason).join(', ')}`;
        case 'would-run':
          return `would run ${e.stage}: ${e.reasons.map(formatReason).join(', ')}`;
        case 'would-restore':
          return `would restore ${e.stage} from ${e.from === 'cache' ? 'cache' : 'run cache'}`;
        case 'code-warning':
          return formatCodeWarning(e.warning);
        case 'log':
          return `  ${e.stage}${e.level === 'warn' ? ' warning' : ''}| ${e.message}`;
        case 'progress':
          return formatProgress(e);
        case 'corrupt-object':
          return formatCorruptObject(e);
        case 'progress-done':
          return `  ${e.stage}| ${e.label} done in ${formatMs(e.seconds * 1000)}${e.summary ? `: ${e.summary}` : ''}`;
        case 'cluster-job':
          return formatClusterJob(e);
        default:
          return assertNever(e, 'info event');
      }
    case 'success':
      switch (e.reason) {
        case 'ran':
          return `finished ${e.stage} in ${formatMs(e.durationMs)}`;
        case 'up-to-date':
          return `skipped ${e.stage}: up to date`;
        case 'frozen':
          return `skipped ${e.stage}: frozen`;
        case 'restored-cache':
          return `restored ${e.stage} from ${e.remote !== undefined ? 'remote ' : ''}cache: ${e.paths.join(', ')}`;
        case 'restored-run-cache':
          return `restored ${e.stage} from ${e.remote !== undefined ? 'remote ' : ''}run cache`;
        default:
          return assertNever(e, 'success event');
      }
    case 'failure':
      switch (e.reason) {
        case 'exit-non-zero':
          return `failed ${e.stage}: command exited with code ${e.exitCode}\n  command: ${e.command}${tail(e.stderrTail)}`;
        case 'signal':
          return `failed ${e.stage}: killed by ${e.signal}\n  command: ${e.command}${tail(e.stderrTail)}`;
        case 'missing-outs':
          return `failed ${e.stage}: the stage finished but did not produce its declared outs: ${e.paths.join(', ')}. Make the stage write them, or remove them from pipeline.yaml.`;
        case 'missing-deps':
          return `failed ${e.stage}: deps missing from the workspace: ${e.paths.join(', ')}. Restore them (xpipe checkout) or run the stage that produces them.`;
        case 'stage-input-error':
          return `failed ${e.stage}: ${e.message}`;
        case 'stage-error':
          return `failed ${e.stage}: ${e.message}${e.stack ? `\n${indent(e.stack)}` : ''}`;
        case 'blocked':
          return `not run ${e.stage}: stage ${e.by} failed`;
        case 'cancelled':
          return `cancelled ${e.stage}`;
        case 'internal-error':
          return `internal error${e.stage ? ` in ${e.stage}` : ''}: ${e.message} (this is a bug in xpipe)${e.stack ? `\n${indent(e.stack)}` : ''}`;
        case 'config-error':
          return e.diagnostics.map(formatDiagnostic).join('').trimEnd();
        case 'cluster-job':
          return formatClusterFailure(e);
        default:
          return assertNever(e, 'failure event');
      }
    case 'summary': {
      const parts = [
        `${e.ran.length} ${e.dry ? 'would run' : 'ran'}`,
        `${e.restored.length} restored`,
        `${e.upToDate.length} up to date`,
        `${e.failed.length} failed`,
      ];
      return `${e.interrupted ? 'interrupted: ' : ''}${parts.join(', ')} in ${formatMs(e.durationMs)}`;
    }
    default:
      return assertNever(e, 'event');
  }
}

function formatCorruptObject(e: Extract<EngineEvent, { reason: 'corrupt-object' }>): string {
  const what =
    e.problem === 'corrupt'
      ? `is corrupt (its bytes do not match its hash); moved to ${e.movedTo ?? '?'}`
      : e.problem === 'unreadable'
        ? `is unreadable (${e.error ?? 'read error'})`
        : 'is missing';
  const then = e.rerun ? `${e.stage} will run instead` : `Not restored; run "xpipe repro ${e.stage}" to rebuild it`;
  return `warning: cache object ${e.object} of ${e.out} (stage ${e.stage}) ${what}. ${then}`;
}

function formatClusterJob(e: Extract<EngineEvent, { type: 'info'; reason: 'cluster-job' }>): string {
  const job = `${e.executor === 'slurm' ? 'Slurm' : e.executor} job ${e.jobId}`;
  const state = `${e.state}${e.state === 'RUNNING' && e.elapsedSeconds !== undefined ? ` ${formatElapsed(e.elapsedSeconds)}` : ''}`;
  if (e.attached)
    return `  ${e.stage}| re-attached to ${job} (${state}) from an earlier run${e.log ? `; log: ${e.log}` : ''}`;
  return `  ${e.stage}| ${job} ${state}${e.state === 'SUBMITTED' && e.log ? ` (log: ${e.log})` : ''}`;
}

function formatClusterFailure(e: Extract<EngineEvent, { type: 'failure'; reason: 'cluster-job' }>): string {
  const job = `${e.executor === 'slurm' ? 'Slurm' : e.executor} job${e.jobId ? ` ${e.jobId}` : ''}`;
  const what =
    e.state === 'SUBMIT_FAILED'
      ? `could not submit the ${job}`
      : e.state === 'CONFIG_ERROR'
        ? 'bad executor settings'
        : `${job} ended ${e.state}`;
  const code = e.exitCode !== undefined ? ` (exit code ${e.exitCode}${e.signal ? `, signal ${e.signal}` : ''})` : '';
  const lines = [`failed ${e.stage}: ${what}${code}${e.slurmReason ? `, reason ${e.slurmReason}` : ''}`];
  if (e.detail) lines.push(`  ${e.detail}`);
  if (e.log) lines.push(`  log: ${e.log}`);
  if (e.logTail.length > 0) lines.push(`  log (last ${e.logTail.length} lines):`, ...e.logTail.map((l) => `    ${l}`));
  return lines.join('\n');
}

/** 192 → 3m12s, 3700 → 1h01m40s. */
function formatElapsed(s: number): string {
  const h = Math.floor(s / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s`
    : `${m}m${String(sec).padStart(2, '0')}s`;
}

function tail(lines: string[]): string {
  return lines.length === 0
    ? ''
    : `\n  stderr (last ${lines.length} lines):\n${lines.map((l) => `    ${l}`).join('\n')}`;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

/** Renders a stream of events as text, managing the live progress line. */
export class TextReporter {
  private live: string | undefined;
  private lastPlain = new Map<string, number>();
  /** Code warnings already printed: stages sharing a file would repeat them. */
  private warned = new Set<string>();

  constructor(
    private readonly out: Writer,
    private readonly err: Writer,
    private readonly isTTY: boolean,
  ) {}

  handle(e: EngineEvent): void {
    if (e.type === 'info' && e.reason === 'progress') {
      const line = formatProgress(e);
      if (this.isTTY) {
        this.live = line;
        this.out.write(`\r\x1b[2K${line}`);
      } else {
        const now = Date.now();
        if (now - (this.lastPlain.get(e.stage) ?? 0) >= PLAIN_PROGRESS_MS || e.done >= e.total) {
          this.lastPlain.set(e.stage, now);
          this.out.write(`  ${line}\n`);
        }
      }
      return;
    }
    if (e.type === 'info' && e.reason === 'code-warning') {
      const key = codeWarningKey(e.warning);
      if (this.warned.has(key)) return;
      this.warned.add(key);
    }
    const text = formatEvent(e);
    if (text === undefined) return;
    this.clearLive();
    const toErr =
      e.type === 'failure' || (e.type === 'info' && (e.reason === 'corrupt-object' || e.reason === 'code-warning'));
    (toErr ? this.err : this.out).write(`${text}\n`);
    if (e.type === 'info' && e.reason === 'progress-done') this.lastPlain.delete(e.stage);
  }

  /** Clears the live line (before exiting or printing something else). */
  clearLive(): void {
    if (this.live !== undefined && this.isTTY) this.out.write('\r\x1b[2K');
    this.live = undefined;
  }
}

/**
 * Text output of `xpipe exp run`: the plan, each experiment's engine events prefixed with its name
 * (so parallel experiments stay readable), and one result line per experiment.
 *
 * Owns: exp-level wording. Engine events are worded by text.ts (formatEvent), never here.
 * Live progress lines are printed at most every few seconds per experiment, never redrawn in place.
 */
import type { ExpEvent } from '../../engine/index.js';
import { formatValue } from '../../engine/index.js';
import { formatEvent, type Writer } from './text.js';
import { formatMs, formatProgress } from './progress-line.js';

const PROGRESS_EVERY_MS = 10_000;

/** Returns a handler that prints exp events to `out` / `err`. */
export function expEventPrinter(out: Writer, err: Writer): (e: ExpEvent) => void {
  const lastProgress = new Map<string, number>();
  return (e) => {
    switch (e.kind) {
      case 'planned':
        out.write(`${e.names.length} experiment${e.names.length === 1 ? '' : 's'}: ${e.names.join(', ')}\n`);
        if (e.shared.length > 0) out.write(`shared stages run once first: ${e.shared.join(', ')}\n`);
        return;
      case 'start':
        out.write(
          `[${e.exp}] start: ${
            Object.entries(e.overrides)
              .map(([k, v]) => `${k}=${formatValue(v as never)}`)
              .join(' ') || 'workspace params'
          }\n`,
        );
        return;
      case 'engine': {
        const ev = e.event;
        if (ev.type === 'summary') return;
        if (ev.type === 'info' && ev.reason === 'progress') {
          const key = `${e.exp}\0${ev.stage}`;
          if (Date.now() - (lastProgress.get(key) ?? 0) < PROGRESS_EVERY_MS && ev.done < ev.total) return;
          lastProgress.set(key, Date.now());
          out.write(`[${e.exp}]   ${formatProgress(ev)}\n`);
          return;
        }
        const text = formatEvent(ev);
        if (text !== undefined)
          (ev.type === 'failure' ? err : out).write(
            `${text
              .split('\n')
              .map((l) => `[${e.exp}] ${l}`)
              .join('\n')}\n`,
          );
        return;
      }
      case 'done': {
        const r = e.record;
        const what = `ran ${r.ran.join(', ') || 'nothing'}${r.restored.length ? `; restored ${r.restored.join(', ')}` : ''}`;
        const line = `[${r.name}] ${r.status === 'success' ? 'done' : `FAILED (${r.error ?? 'see above'})`} in ${formatMs(r.durationMs)}: ${what}\n`;
        (r.status === 'success' ? out : err).write(line);
        return;
      }
    }
  };
}

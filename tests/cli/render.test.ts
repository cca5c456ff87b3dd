// Renderers in-process: the live progress line on a TTY, plain periodic lines otherwise, and wording.
import { describe, expect, it } from 'vitest';
import { TextReporter, formatEvent } from '../../src/cli/render/text.js';
import { formatProgress, formatDuration } from '../../src/cli/render/progress-line.js';
import type { EngineEvent } from '../../src/engine/model/events.js';

function capture(): { text: () => string; write: (s: string) => void } {
  let buf = '';
  return { text: () => buf, write: (s: string) => void (buf += s) };
}

const sample = (done: number): EngineEvent => ({
  type: 'info',
  reason: 'progress',
  stage: 'train',
  label: 'epoch 3/20',
  done,
  total: 200,
  unit: 'img',
  rate: 312,
  etaSeconds: 42,
});

describe('text renderer', () => {
  it('formats a progress line with bar, percent, rate and ETA', () => {
    expect(
      formatProgress(
        { stage: 'train', label: 'epoch 3/20', done: 90, total: 200, unit: 'img', rate: 312.4, etaSeconds: 42 },
        10,
      ),
    ).toBe('train  epoch 3/20  █████░░░░░ 45%  90/200  312 img/s  ETA 0:42');
    expect(formatDuration(3723)).toBe('1:02:03');
  });

  it('redraws one live line on a TTY and clears it before other output', () => {
    const out = capture();
    const r = new TextReporter(out, capture(), true);
    r.handle(sample(10));
    r.handle(sample(20));
    r.handle({ type: 'success', reason: 'ran', stage: 'train', durationMs: 1500 });
    expect(out.text()).toBe(
      `\r\x1b[2K${formatEvent(sample(10))}\r\x1b[2K${formatEvent(sample(20))}\r\x1b[2Kfinished train in 1.5s\n`,
    );
  });

  it('prints plain progress lines without a TTY, throttled per stage', () => {
    const out = capture();
    const r = new TextReporter(out, capture(), false);
    r.handle(sample(10));
    r.handle(sample(20)); // within the throttle window: dropped
    r.handle(sample(200)); // the last one always prints
    expect(out.text().split('\n').filter(Boolean)).toEqual([
      `  ${formatEvent(sample(10))}`,
      `  ${formatEvent(sample(200))}`,
    ]);
  });

  it('words verdicts and failures', () => {
    expect(
      formatEvent({
        type: 'info',
        reason: 'running',
        stage: 'train',
        command: 'x',
        reasons: [{ kind: 'param-changed', key: 'train.lr', old: 0.001, new: 0.01 }],
      }),
    ).toBe('running train: param train.lr changed 0.001 -> 0.01');
    expect(formatEvent({ type: 'success', reason: 'restored-run-cache', stage: 'evaluate' })).toBe(
      'restored evaluate from run cache',
    );
    expect(
      formatEvent({
        type: 'failure',
        reason: 'exit-non-zero',
        stage: 'b',
        command: 'make',
        exitCode: 2,
        stderrTail: ['oops'],
      }),
    ).toBe('failed b: command exited with code 2\n  command: make\n  stderr (last 1 lines):\n    oops');
  });
});

/**
 * Formats a progress sample: `train  epoch 3/20  ████░░░░ 45%  312 img/s  ETA 0:42`.
 */
import type { ProgressSample } from '../../engine/index.js';

export function formatProgress(p: ProgressSample, width = 20): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const rate = p.rate > 0 ? `  ${p.rate >= 100 ? Math.round(p.rate) : p.rate.toFixed(1)} ${p.unit}/s` : '';
  const eta = p.etaSeconds !== undefined ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${p.stage}  ${p.label}  ${bar} ${Math.floor(frac * 100)}%  ${p.done}/${p.total}${rate}${eta}`;
}

/** `0:42`, `12:05`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** `850ms`, `3.2s`, `2m05s`. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/**
 * `exp show` output: the experiments table (text, Markdown, CSV) and its JSON form.
 *
 * Owns: cell formatting of the experiments table (duration as `1m 05s`, missing values as `-`).
 * Does not own: which columns exist or the row order (engine/exp/exp-table.ts).
 */
import type { ExpColumn, ExpRow } from '../../engine/index.js';
import { formatValue } from '../../engine/index.js';
import { formatMs } from './progress-line.js';
import type { TextTable } from './report-table.js';

/** `Experiment | Status | Duration | Backend | <params...> | <metrics...>`. */
export function expTable(columns: ExpColumn[], rows: ExpRow[], sortColumn?: ExpColumn): TextTable {
  return {
    header: [
      'Experiment',
      'Status',
      'Duration',
      'Backend',
      ...columns.map((c) => (c === sortColumn ? `${c.title} (sorted)` : c.title)),
    ],
    rows: rows.map((r) => [
      r.name,
      r.status || '-',
      r.durationMs === undefined ? '-' : formatMs(r.durationMs),
      r.backend ?? '-',
      ...r.values.map((v) => formatValue(v)),
    ]),
  };
}

/** One object per row, keyed by column title, for `--json`. */
export function expJson(columns: ExpColumn[], rows: ExpRow[]): unknown[] {
  return rows.map((r) => ({
    name: r.name,
    status: r.status,
    startedAt: r.startedAt ?? null,
    durationMs: r.durationMs ?? null,
    backend: r.backend ?? null,
    params: Object.fromEntries(columns.flatMap((c, i) => (c.kind === 'param' ? [[c.key, r.values[i] ?? null]] : []))),
    metrics: Object.fromEntries(
      columns.flatMap((c, i) => (c.kind === 'metric' ? [[`${c.file}:${c.key}`, r.values[i] ?? null]] : [])),
    ),
  }));
}

/**
 * Tables of the report commands, built from engine data: diff rows (params and metrics), the
 * flattened metrics of one source, and their JSON forms.
 *
 * Owns: column choice and cell formatting of `params diff`, `metrics show` and `metrics diff`.
 * Does not own: the text/Markdown/CSV layout (report-table.ts).
 */
import type { DiffRow, FileValues } from '../../engine/index.js';
import { formatNumber, formatValue } from '../../engine/index.js';
import type { TextTable } from './report-table.js';

/** `Path | Param | Old | New [| Change]`; the change column only when some row has a numeric change. */
export function diffTable(rows: DiffRow[], keyTitle: 'Param' | 'Metric', labels: [string, string]): TextTable {
  const withChange = rows.some((r) => r.change !== undefined);
  const header = ['Path', keyTitle, `Old (${labels[0]})`, `New (${labels[1]})`, ...(withChange ? ['Change'] : [])];
  return {
    header,
    rows: rows.map((r) => [
      r.path,
      r.key,
      formatValue(r.old),
      formatValue(r.new),
      ...(withChange ? [r.change === undefined ? '-' : signed(r.change)] : []),
    ]),
  };
}

function signed(n: number): string {
  return n > 0 ? `+${formatNumber(n)}` : formatNumber(n);
}

/** `Path | Metric | Value` for every metrics file of one source. */
export function metricsTable(values: FileValues): TextTable {
  const rows: string[][] = [];
  for (const [file, flat] of values) {
    if (!flat) {
      rows.push([file, '(missing)', '-']);
      continue;
    }
    for (const [k, v] of flat) rows.push([file, k, formatValue(v)]);
  }
  return { header: ['Path', 'Metric', 'Value'], rows };
}

/** `{ file: { key: value } }` for `metrics show --json`. */
export function metricsJson(values: FileValues): Record<string, Record<string, unknown> | null> {
  const out: Record<string, Record<string, unknown> | null> = {};
  for (const [file, flat] of values) out[file] = flat ? Object.fromEntries(flat) : null;
  return out;
}

/** `[{ path, key, old, new, change }]` for `--json` of the diff commands (undefined → null). */
export function diffJson(rows: DiffRow[], labels: [string, string]): unknown {
  return {
    old: labels[0],
    new: labels[1],
    rows: rows.map((r) => ({
      path: r.path,
      key: r.key,
      old: r.old ?? null,
      new: r.new ?? null,
      ...(r.change !== undefined ? { change: r.change } : {}),
    })),
  };
}

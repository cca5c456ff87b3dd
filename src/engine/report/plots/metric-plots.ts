/**
 * Bar charts derived from metrics files: every map of per-item numbers becomes "value by item".
 *
 * Owns: finding such maps in a parsed metrics document. Two shapes qualify (at least two entries):
 *   - `auc_per_label: { Effusion: 0.81, Nodule: 0.74 }` → one chart (x = key, y = value);
 *   - `per_label: { Effusion: { auc: .., ap: .. }, ... }` → one chart per numeric field shared by all
 *     entries, e.g. `per_label.*.auc` (also at the top level of the file);
 *   - `labels: [{ label: Effusion, auc: .. }, ...]` (items with a distinct `label`/`name`/`id`/`class`)
 *     → the same, keyed by that field.
 * A map of numbers is charted only when its name says it is per item (`per_label`, `auc_by_label`) or
 * its keys are items of a table of the same file: `best: {loss: .., val_auc: ..}` holds different
 * quantities and is not charted. Does not own: the bar template itself (templates.ts).
 */
import type { Row, Table } from './plot-data.js';
import { idField } from '../flatten.js';

/** One derived table: `key` names the chart (`per_label.*.auc`), rows are `{ item, <metric> }`. */
export interface MetricTable {
  key: string;
  metric: string;
  table: Table;
  /** What one item is (`label`), when the file names it. */
  itemName?: string;
}

/** All per-item maps in `data`, in document order. */
export function findMetricTables(data: unknown): MetricTable[] {
  const out: MetricTable[] = [];
  walk(data, [], out);
  // A map of plain numbers is only per-item when its name says so (`per_label`, `auc_by_label`) or its
  // keys are items seen in a table of the same file; otherwise (`best: {loss, val_auc}`) it mixes quantities.
  const items = new Set(
    out.filter((t) => t.key.includes('*')).flatMap((t) => t.table.rows.map((r) => String(r['item']))),
  );
  return out.filter(
    (t) =>
      t.key.includes('*') ||
      /(^|_)(per|by)(_|$)/.test(t.key.split('.').pop()!) ||
      t.table.rows.filter((r) => items.has(String(r['item']))).length >= 2,
  );
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function walk(node: unknown, at: string[], out: MetricTable[], itemName?: string): void {
  if (Array.isArray(node)) {
    const id = node.length >= 2 ? idField(node) : undefined;
    if (id)
      walk(
        Object.fromEntries(node.map((x) => [(x as Record<string, string>)[id], x])),
        [...at.slice(0, -1), `${at[at.length - 1] ?? 'items'}`],
        out,
        id,
      );
    return;
  }
  if (!isMap(node)) return;
  const entries = Object.entries(node);
  if (entries.length >= 2 && at.length >= 1 && entries.every(([, v]) => isNum(v))) {
    const metric = at[at.length - 1];
    out.push({
      key: at.join('.'),
      metric,
      table: tableOf(
        entries.map(([k, v]) => ({ item: k, [metric]: v as number })),
        metric,
      ),
    });
    return;
  }
  if (entries.length >= 2 && entries.every(([, v]) => isMap(v))) {
    // Numeric in some entries and number-or-null in all (an AUC is null for a label without positives).
    const field = (v: unknown, k: string) => (v as Record<string, unknown>)[k];
    const shared = Object.keys(entries[0][1] as object).filter(
      (k) =>
        entries.every(([, v]) => isNum(field(v, k)) || field(v, k) === null) &&
        entries.some(([, v]) => isNum(field(v, k))),
    );
    if (shared.length > 0) {
      for (const metric of shared) {
        const rows = entries
          .filter(([, v]) => isNum(field(v, metric)))
          .map(([k, v]) => ({ item: k, [metric]: field(v, metric) as number }));
        out.push({
          key: [...at, '*', metric].join('.'),
          metric,
          table: tableOf(rows, metric),
          ...(itemName ? { itemName } : {}),
        });
      }
      return;
    }
  }
  for (const [k, v] of entries) walk(v, [...at, k], out);
}

function tableOf(rows: Row[], metric: string): Table {
  return { columns: ['item', metric], rows };
}

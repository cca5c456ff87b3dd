/**
 * Bar charts derived from metrics files: every map of per-item numbers becomes "value by item".
 *
 * Owns: finding such maps in a parsed metrics document. Two shapes qualify (at least two entries):
 *   - `auc: { Effusion: 0.81, Nodule: 0.74 }`           → one chart `auc` (x = key, y = value);
 *   - `per_label: { Effusion: { auc: .., ap: .. }, ... }` → one chart per numeric field shared by all
 *     entries, e.g. `per_label.*.auc` (also at the top level of the file);
 *   - `labels: [{ label: Effusion, auc: .. }, ...]` (items with a distinct `label`/`name`/`id`/`class`)
 *     → the same, keyed by that field.
 * A plain map of numbers at the top level (`{loss: .., accuracy: ..}`) is not charted: its entries are
 * different quantities. Does not own: the bar template itself (templates.ts).
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
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function walk(node: unknown, at: string[], out: MetricTable[], itemName?: string): void {
  if (Array.isArray(node)) {
    const id = node.length >= 2 ? idField(node) : undefined;
    if (id) walk(Object.fromEntries(node.map((x) => [(x as Record<string, string>)[id], x])), [...at.slice(0, -1), `${at[at.length - 1] ?? 'items'}`], out, id);
    return;
  }
  if (!isMap(node)) return;
  const entries = Object.entries(node);
  if (entries.length >= 2 && at.length >= 1 && entries.every(([, v]) => isNum(v))) {
    const metric = at[at.length - 1]!;
    out.push({ key: at.join('.'), metric, table: tableOf(entries.map(([k, v]) => ({ item: k, [metric]: v as number })), metric) });
    return;
  }
  if (entries.length >= 2 && entries.every(([, v]) => isMap(v))) {
    // Numeric in some entries and number-or-null in all (an AUC is null for a label without positives).
    const field = (v: unknown, k: string) => (v as Record<string, unknown>)[k];
    const shared = Object.keys(entries[0]![1] as object).filter(
      (k) => entries.every(([, v]) => isNum(field(v, k)) || field(v, k) === null) && entries.some(([, v]) => isNum(field(v, k))),
    );
    if (shared.length > 0) {
      for (const metric of shared) {
        const rows = entries.filter(([, v]) => isNum(field(v, metric))).map(([k, v]) => ({ item: k, [metric]: field(v, metric) as number }));
        out.push({ key: [...at, '*', metric].join('.'), metric, table: tableOf(rows, metric), ...(itemName ? { itemName } : {}) });
      }
      return;
    }
  }
  for (const [k, v] of entries) walk(v, [...at, k], out);
}

function tableOf(rows: Row[], metric: string): Table {
  return { columns: ['item', metric], rows };
}

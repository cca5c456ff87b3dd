/**
 * The comparison table of `exp show`, as data: which params and metrics get a column, row order.
 *
 * Owns: column choice — every param that differs between the shown experiments (plus every overridden
 * key), and the metrics that are numbers at the top of a file or one level down (`auc_macro`,
 * `macro.auc`) and differ between the experiments, quality measures (auc, loss, f1...) first, at
 * most `maxMetrics`, or exactly the ones asked for — and sorting by a metric.
 * Does not own: formatting cells (cli/render/exp-views.ts).
 */
import type { Scalar } from '../report/flatten.js';
import { sameValue } from '../report/diff-values.js';
import type { ExpRecord } from './exp-store.js';

/** A column: a param (`params.yaml` key) or a metric (`file` + key). */
export interface ExpColumn {
  kind: 'param' | 'metric';
  file: string;
  key: string;
  /** Header text: the key, prefixed by the file's base name when two files share a key. */
  title: string;
}

/** One row: an experiment (or the workspace baseline). */
export interface ExpRow {
  name: string;
  status: string;
  startedAt?: string;
  durationMs?: number;
  backend?: string;
  values: Array<Scalar | Scalar[] | undefined>;
}

export interface ExpTableOptions {
  /** Sort by this metric (key, or `file:key`), best first. */
  sortBy?: string;
  /** `desc` (default: larger is better) or `asc` (for losses). */
  sortOrder?: 'asc' | 'desc';
  /** Only these metric keys (key or `file:key`); default: top-level numeric metrics. */
  metrics?: string[];
  maxMetrics?: number;
}

/** Names of common quality measures; such metrics are shown first when columns must be chosen. */
const QUALITY =
  /(^|[._])(auc|ap|average_precision|acc|accuracy|f1|loss|val_loss|precision|recall|score|error|mae|mse|rmse|r2|iou|dice)([._]|$)/i;

/** A stored experiment, or the workspace baseline (status `workspace`). */
type Rec = Pick<ExpRecord, 'name' | 'params' | 'metrics' | 'overrides'> &
  Partial<Omit<ExpRecord, 'status'>> & { status?: string };

/** Builds the table for `records` (the first may be a `workspace` baseline). */
export function buildExpTable(
  records: Rec[],
  opts: ExpTableOptions = {},
): { columns: ExpColumn[]; rows: ExpRow[]; sortColumn?: ExpColumn } | { error: string } {
  const paramCols = varyingParams(records);
  const allMetricCols = metricColumns(records);
  let metricCols = allMetricCols.filter(
    (c) => c.key.split('.').length <= 2 && records.some((r) => typeof r.metrics[c.file]?.[c.key] === 'number'),
  );
  if (opts.metrics?.length) {
    metricCols = [];
    for (const m of opts.metrics) {
      const col = findMetric(allMetricCols, m);
      if (!col)
        return {
          error: `unknown metric '${m}' in --metrics; known metrics: ${allMetricCols
            .map((c) => c.key)
            .slice(0, 20)
            .join(', ')}.`,
        };
      metricCols.push(col);
    }
  } else {
    // Prefer metrics that differ between experiments: they answer "which run was best".
    const varying = metricCols.filter((c) =>
      records.some(
        (r) => !sameValue(r.metrics[c.file]?.[c.key] as Scalar, records[0].metrics[c.file]?.[c.key] as Scalar),
      ),
    );
    const pool = records.length > 1 && varying.length > 0 ? varying : metricCols;
    // Quality measures (AUC, loss, F1, ...) before bookkeeping such as image counts or throughput.
    const rank = (c: ExpColumn) => (QUALITY.test(c.key) ? 0 : 1);
    metricCols = [...pool].sort((a, b) => rank(a) - rank(b)).slice(0, opts.maxMetrics ?? 8);
  }
  let sortColumn: ExpColumn | undefined;
  if (opts.sortBy) {
    sortColumn = findMetric(allMetricCols, opts.sortBy);
    if (!sortColumn)
      return {
        error: `cannot sort by '${opts.sortBy}': no experiment has that metric. Known metrics: ${allMetricCols
          .map((c) => c.key)
          .slice(0, 20)
          .join(', ')}.`,
      };
    if (!metricCols.includes(sortColumn)) metricCols = [sortColumn, ...metricCols];
  }
  dedupeTitles([...paramCols, ...metricCols]);
  const columns = [...paramCols, ...metricCols];
  const rows: ExpRow[] = records.map((r) => ({
    name: r.name,
    // An experiment that ran no stage was restored entirely from the run cache.
    status: r.status === 'success' && r.ran?.length === 0 ? 'cached' : (r.status ?? ''),
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    ...(r.backend ? { backend: r.backend } : {}),
    values: columns.map(
      (c) => (c.kind === 'param' ? r.params[c.file]?.[c.key] : r.metrics[c.file]?.[c.key]) as Scalar | undefined,
    ),
  }));
  if (sortColumn) {
    const i = columns.indexOf(sortColumn);
    const sign = opts.sortOrder === 'asc' ? 1 : -1;
    const num = (row: ExpRow) => (typeof row.values[i] === 'number' ? row.values[i] : undefined);
    rows.sort((a, b) => {
      const x = num(a),
        y = num(b);
      if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
      return sign * (x - y);
    });
  }
  return { columns, rows, ...(sortColumn ? { sortColumn } : {}) };
}

function varyingParams(records: Rec[]): ExpColumn[] {
  const keys: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const [file, values] of Object.entries(r.params)) {
      for (const key of Object.keys(values ?? {}))
        if (!seen.has(`${file}\0${key}`)) {
          seen.add(`${file}\0${key}`);
          keys.push([file, key]);
        }
    }
  }
  const overridden = new Set(records.flatMap((r) => Object.keys(r.overrides)));
  return keys
    .filter(
      ([file, key]) =>
        overridden.has(key) ||
        records.some((r) => !sameValue(r.params[file]?.[key] as Scalar, records[0].params[file]?.[key] as Scalar)),
    )
    .map(([file, key]) => ({ kind: 'param', file, key, title: key }));
}

function metricColumns(records: Rec[]): ExpColumn[] {
  const out: ExpColumn[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const [file, values] of Object.entries(r.metrics)) {
      for (const key of Object.keys(values ?? {})) {
        if (!seen.has(`${file}\0${key}`)) {
          seen.add(`${file}\0${key}`);
          out.push({ kind: 'metric', file, key, title: key });
        }
      }
    }
  }
  return out;
}

function findMetric(cols: ExpColumn[], name: string): ExpColumn | undefined {
  const [file, key] = name.includes(':') ? (name.split(/:(.*)/s, 2) as [string, string]) : [undefined, name];
  return cols.find((c) => c.key === key && (file === undefined || c.file === file || c.file.endsWith(`/${file}`)));
}

function dedupeTitles(cols: ExpColumn[]): void {
  for (const c of cols) {
    if (cols.some((o) => o !== c && o.key === c.key))
      c.title = `${c.file
        .split('/')
        .pop()!
        .replace(/\.\w+$/, '')}:${c.key}`;
  }
}

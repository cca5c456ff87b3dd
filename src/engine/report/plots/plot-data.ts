/**
 * Parsing plot files (CSV, TSV, JSON, YAML) into rows of named values.
 *
 * Owns: the tabular reading of a plot file's text, numbers converted where a whole column is numeric.
 * Does not own: choosing the chart (infer-plot.ts) or where the text comes from (workspace or revision).
 */
import { parse as parseYaml } from 'yaml';
import { err, ok, type Result } from '../../model/result.js';

/** One data point: column name → number or text. */
export type Row = Record<string, string | number>;

/** Rows and the column names in file order. */
export interface Table {
  columns: string[];
  rows: Row[];
}

/** Parses `text` of `file` by its extension; `where` (e.g. `at HEAD`) goes into error messages. */
export function parsePlotFile(file: string, text: string, where: string): Result<Table, string> {
  try {
    if (/\.(csv|tsv)$/i.test(file)) return ok(parseDelimited(text, /\.tsv$/i.test(file) ? '\t' : ','));
    const data: unknown = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
    const rows = findRows(data);
    if (!rows)
      return err(
        `cannot plot ${file} ${where}: expected a list of objects (or an object holding one), like [{"x": 1, "y": 2}].`,
      );
    return ok(normalise(rows));
  } catch (e) {
    return err(
      `cannot parse plot file ${file} ${where}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}.`,
    );
  }
}

function findRows(data: unknown): Record<string, unknown>[] | undefined {
  const isRows = (v: unknown): v is Record<string, unknown>[] =>
    Array.isArray(v) && v.length > 0 && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));
  if (isRows(data)) return data;
  if (data !== null && typeof data === 'object') return Object.values(data).find(isRows);
  return undefined;
}

/** RFC 4180-style CSV: quoted fields may hold the delimiter, quotes (doubled) and newlines. */
export function parseDelimited(text: string, delimiter: string): Table {
  const records: string[][] = [];
  let field = '',
    record: string[] = [],
    quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.some((f) => f !== '')) records.push(record);
      record = [];
    } else field += ch;
  }
  record.push(field);
  if (record.some((f) => f !== '')) records.push(record);
  const [header = [], ...body] = records;
  const rows = body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  return normalise(rows);
}

/** Converts columns whose every non-empty value is a number into numbers. */
function normalise(raw: Record<string, unknown>[]): Table {
  const columns = [...new Set(raw.flatMap((r) => Object.keys(r)))];
  const numeric = new Set(
    columns.filter((c) => raw.every((r) => r[c] === undefined || r[c] === '' || isNumeric(r[c]))),
  );
  const rows = raw.map((r) => {
    const row: Row = {};
    for (const c of columns) {
      const v = r[c];
      if (v === undefined || v === '' || v === null) continue;
      // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are JSON-encoded first
      row[c] = numeric.has(c) ? toNumber(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return row;
  });
  return { columns, rows };
}

/** `inf`, `-inf` and `nan` (as NumPy and our stages write them) count as numbers. */
const SPECIAL = /^\s*([-+]?)(inf|infinity|nan)\s*$/i;

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return true;
  return typeof v === 'string' && v.trim() !== '' && (Number.isFinite(Number(v)) || SPECIAL.test(v));
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = SPECIAL.exec(String(v));
  if (!m) return Number(v);
  return m[2].toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
}

/** True when every row's value in `column` is a number (and at least one row has one). */
export function isNumericColumn(table: Table, column: string): boolean {
  const values = table.rows.map((r) => r[column]).filter((v) => v !== undefined);
  return values.length > 0 && values.every((v) => typeof v === 'number');
}

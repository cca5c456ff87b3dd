/**
 * Applies a `CsvMapping` to a table (a CSV, or the rows a folder walk produced): filter rules (counted
 * per rule and value), then per row the checks every layout shares, in this order: field count, empty
 * path, missing patient, duplicate image, labels, file present, file looks like a PNG/JPEG. Bad rows are
 * returned in row order, never dropped silently (records.ts settles them).
 *
 * Owns: row → `ImageRecord`. Does not own: reading the CSV or finding files (the readers pass a
 * `Locator`), nor the label space of the task (label-space.ts).
 */
import path from 'node:path';
import type { CsvRow } from '../csv.js';
import { checkImageHeaders } from '../readers/scan.js';
import type { BadRow, FilterCount, ImageRecord, MetaColumn, ReadResult, RecordMeta } from '../records.js';
import { resolveColumns, type ColumnNaming, type ResolvedColumns } from './columns.js';
import type { CsvMapping } from './mapping.js';
import { labelsOfCell, labelsOfColumns, normaliseSex, normaliseView, parseAge } from './values.js';

/** Rows with a header; `file` is the project-relative CSV for messages, or null for a folder walk. */
export interface Table {
  file: string | null;
  header: string[];
  rows: CsvRow[];
}

/** How a layout finds the image a path cell names. */
export interface Locator {
  /** Project-relative path of the image, or null when there is no such file. */
  find(cell: string): Promise<string | null>;
  /** Where it looked, for the "not found" message (`under ds`, `in ds/images`). */
  where: string;
  /** Project-relative path of a mask cell. */
  mask(cell: string): string;
}

export interface MapOptions {
  projectRoot: string;
  locator: Locator;
  naming: ColumnNaming;
  /** Also name the CSV line in problems with the image file itself (corrupt, not an image). */
  citeRow: boolean;
  /** Problem with a row's field count, or null (default: extra non-empty fields are a problem). */
  checkFields?: (fields: readonly string[], header: readonly string[]) => string | null;
}

function extraFields(fields: readonly string[], header: readonly string[]): string | null {
  return fields.length > header.length && fields.slice(header.length).some((f) => f.trim() !== '')
    ? `expected ${header.length} fields, found ${fields.length} (an unquoted comma or a stray quote?)`
    : null;
}

type Outcome = { bad: BadRow } | { record: ImageRecord; line: number } | null;

function metaOf(fields: readonly string[], cols: ResolvedColumns): RecordMeta | undefined {
  if (cols.view < 0 && cols.sex < 0 && cols.age < 0) return undefined;
  const meta: RecordMeta = {};
  if (cols.view >= 0) meta.view = normaliseView(fields[cols.view] ?? '');
  if (cols.sex >= 0) meta.sex = normaliseSex(fields[cols.sex] ?? '');
  if (cols.age >= 0) meta.age = parseAge(fields[cols.age] ?? '');
  return meta;
}

/** The rule a row fails first, or null when every rule keeps it. */
function failedRule(fields: readonly string[], cols: ResolvedColumns): { k: number; value: string } | null {
  for (const [k, f] of cols.filter.entries()) {
    const value = (fields[f.index] ?? '').trim();
    if (!f.allowed.some((a) => a.toLowerCase() === value.toLowerCase())) return { k, value };
  }
  return null;
}

export async function mapRows(table: Table, m: CsvMapping, o: MapOptions): Promise<ReadResult> {
  const file = table.file ?? '(folder listing)';
  const cols = resolveColumns(file, table.header, m, o.naming);
  const filtered: FilterCount[] = cols.filter.map((f) => ({
    column: f.column,
    allowed: f.allowed,
    rows: 0,
    values: {},
  }));
  const seen = new Map<string, { line: number; cell: string }>();
  const rules = { noFinding: m.noFinding, rename: m.rename };
  const outcomes: Outcome[] = [];
  const checkFields = o.checkFields ?? extraFields;
  for (const { fields, line } of table.rows) {
    const at = { file, line };
    const fieldProblem = checkFields(fields, table.header);
    if (fieldProblem) {
      outcomes.push({ bad: { ...at, problem: fieldProblem } });
      continue;
    }
    const fail = failedRule(fields, cols);
    if (fail) {
      const count = filtered[fail.k];
      count.rows++;
      count.values[fail.value] = (count.values[fail.value] ?? 0) + 1;
      outcomes.push(null);
      continue;
    }
    const cell = (fields[cols.path] ?? '').trim();
    const patient = (fields[cols.patient] ?? '').trim();
    if (cell === '') {
      outcomes.push({ bad: { ...at, problem: `empty ${m.path}` } });
      continue;
    }
    if (patient === '') {
      outcomes.push({ bad: { ...at, problem: `no ${m.patient} for ${cell}` } });
      continue;
    }
    const id = m.id === 'basename' ? path.posix.basename(cell) : path.posix.normalize(cell.replace(/\\/g, '/'));
    const prev = seen.get(id);
    if (prev !== undefined) {
      const problem =
        prev.cell === cell
          ? `duplicate ${m.path} ${cell} (also on line ${prev.line})`
          : `duplicate image ${id} (also as ${prev.cell} on line ${prev.line})`;
      outcomes.push({ bad: { ...at, problem } });
      continue;
    }
    seen.set(id, { line, cell });
    const parsed =
      m.labels.kind === 'column'
        ? labelsOfCell(fields[cols.labels[0]?.index ?? -1] ?? '', m.labels.separator, rules)
        : labelsOfColumns(
            cols.labels.map((c) => ({ column: c.column, value: fields[c.index] ?? '' })),
            rules,
          );
    if ('problem' in parsed) {
      const column = m.labels.kind === 'column' ? ` in column '${m.labels.column}'` : '';
      outcomes.push({ bad: { ...at, problem: `${parsed.problem}${column} for ${cell}` } });
      continue;
    }
    const rel = await o.locator.find(cell);
    if (rel === null) {
      outcomes.push({ bad: { ...at, problem: `image ${cell} not found ${o.locator.where}` } });
      continue;
    }
    const maskCell = cols.mask >= 0 ? (fields[cols.mask] ?? '').trim() : '';
    const record: ImageRecord = {
      id,
      path: rel,
      patientId: patient,
      labels: parsed.labels,
      mask: maskCell === '' ? null : o.locator.mask(maskCell),
    };
    const meta = metaOf(fields, cols);
    if (meta) record.meta = meta;
    outcomes.push({ record, line });
  }
  const candidates = outcomes.flatMap((x) => (x && 'record' in x ? [x] : []));
  const problems = await checkImageHeaders(candidates.map((c) => path.resolve(o.projectRoot, c.record.path)));
  const problemOf = new Map(candidates.map((c, k) => [c, problems[k] ?? null]));
  const records: ImageRecord[] = [];
  const bad: BadRow[] = [];
  for (const x of outcomes) {
    if (x === null) continue;
    if ('bad' in x) {
      bad.push(x.bad);
      continue;
    }
    const problem = problemOf.get(x);
    if (problem)
      bad.push({
        file: x.record.path,
        problem: o.citeRow && table.file ? `${problem} (listed on ${table.file}:${x.line})` : problem,
      });
    else records.push(x.record);
  }
  const metaColumns = (['view', 'sex', 'age'] as MetaColumn[]).filter((c) => cols[c] >= 0);
  return { records, bad, rows: table.rows.length, filtered, metaColumns };
}

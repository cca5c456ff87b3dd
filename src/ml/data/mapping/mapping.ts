/**
 * The dataset mapping: which CSV columns hold an image's path, patient, labels and metadata, which rows
 * to keep, and how label names are merged. `data.format: csv` reads it from `data.csv` in params.yaml; the
 * NIH, Kermany and plain `labels.csv` layouts are fixed presets of it (presets.ts).
 *
 * Owns: the `CsvMapping` type and its validation from params (`parseCsvMapping`). Does not own: applying
 * it to rows (map-rows.ts) or finding files (readers/).
 */
import { InputError, invalid, Reader } from '../../params/index.js';

/** A column the mapping uses; an optional one may be absent from the CSV (presets only). */
export interface ColumnRef {
  name: string;
  optional: boolean;
}

/** Where the findings are: one column of names joined by `separator` (null: one name), or 0/1 columns. */
export type LabelSource =
  { kind: 'column'; column: string; separator: string | null } | { kind: 'columns'; columns: string[] };

/** Keep a row only when `column` holds one of `allowed` (compared ignoring case and surrounding spaces). */
export interface FilterRule {
  column: string;
  allowed: string[];
}

export interface CsvMapping {
  /** CSV file relative to data.root. */
  file: string;
  /** Image folder relative to the CSV's folder; the path column is relative to it. */
  images: string;
  path: string;
  patient: string;
  labels: LabelSource;
  /** Cell values and names meaning "no finding" (lower-cased; `''` lets an empty cell mean none). */
  noFinding: string[];
  /** Lower-cased cell value or single name → label name (merging = several keys, one name). */
  rename: Map<string, string>;
  view: ColumnRef | null;
  sex: ColumnRef | null;
  age: ColumnRef | null;
  /** Lung-field mask paths, relative to the image folder. */
  mask: ColumnRef | null;
  filter: FilterRule[];
  /** Image id: the path cell as written, or only its file name (the NIH/Kermany/labels.csv convention). */
  id: 'path' | 'basename';
}

/** The keys of `data.csv`, in the order the docs list them. */
export const CSV_KEYS = [
  'file',
  'images',
  'path',
  'patient',
  'labels',
  'separator',
  'no_finding',
  'rename',
  'view',
  'sex',
  'age',
  'mask',
  'filter',
] as const;

/** The built-in `labels.csv` layout (`path,labels,patient_id[,mask]`), used when `data.csv` is absent. */
export const LABELS_CSV_MAPPING: CsvMapping = {
  file: 'labels.csv',
  images: '.',
  path: 'path',
  patient: 'patient_id',
  labels: { kind: 'column', column: 'labels', separator: '|' },
  noFinding: ['no finding', ''],
  rename: new Map(),
  view: null,
  sex: null,
  age: null,
  mask: { name: 'mask', optional: true },
  filter: [],
  id: 'basename',
};

function column(r: Reader, key: string): ColumnRef | null {
  const name = r.optionalString(key);
  return name === null ? null : { name, optional: false };
}

function stringList(r: Reader, key: string): string[] | null {
  const v = r.raw(key);
  if (v === undefined || v === null) return null;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0 || !list.every((x) => typeof x === 'string' || typeof x === 'number')) {
    invalid('a string or a list of strings', r.field(key), v);
  }
  return list.map((x) => String(x).trim());
}

function parseLabels(r: Reader): LabelSource {
  const v = r.raw('labels');
  if (Array.isArray(v)) {
    const columns = stringList(r, 'labels') as string[];
    if (columns.some((c) => c === '')) invalid('non-empty column names', r.field('labels'), v);
    if (r.raw('separator') !== undefined) {
      throw new InputError(
        `${r.field('separator')} applies to one label column, but ${r.field('labels')} lists 0/1 columns; remove the separator.`,
      );
    }
    return { kind: 'columns', columns };
  }
  const sep = r.raw('separator');
  if (sep !== undefined && sep !== null && (typeof sep !== 'string' || sep === '')) {
    invalid('a non-empty string (e.g. "|" or ", ") or null', r.field('separator'), sep);
  }
  return {
    kind: 'column',
    column: r.string('labels', 'labels'),
    separator: sep === undefined ? '|' : sep,
  };
}

function parseRename(r: Reader): Map<string, string> {
  const sub = r.sub('rename');
  const map = new Map<string, string>();
  for (const key of sub.keys()) map.set(key.trim().toLowerCase(), sub.string(key, '').trim());
  return map;
}

function parseFilter(r: Reader): FilterRule[] {
  const sub = r.sub('filter');
  return sub.keys().map((column) => ({
    column,
    allowed: stringList(sub, column) ?? invalid('a value or a list of values', sub.field(column), null),
  }));
}

/** Validates `data.csv` (absent → the built-in `labels.csv` layout). */
export function parseCsvMapping(raw: unknown, name = 'data.csv'): CsvMapping {
  if (raw === undefined || raw === null) return LABELS_CSV_MAPPING;
  if (typeof raw !== 'object' || Array.isArray(raw)) invalid('a mapping', name, raw);
  const r = new Reader(raw as Record<string, unknown>, name);
  r.rejectUnknown(CSV_KEYS);
  const d = LABELS_CSV_MAPPING;
  return {
    file: r.string('file', d.file),
    images: r.string('images', d.images),
    path: r.string('path', d.path),
    patient: r.string('patient', d.patient),
    labels: parseLabels(r),
    // an empty cell is an error unless listed: a blank finding is more often missing data than a normal film
    noFinding: (stringList(r, 'no_finding') ?? ['No Finding']).map((s) => s.toLowerCase()),
    rename: parseRename(r),
    view: column(r, 'view'),
    sex: column(r, 'sex'),
    age: column(r, 'age'),
    mask: column(r, 'mask'),
    filter: parseFilter(r),
    id: 'path',
  };
}

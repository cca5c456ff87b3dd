/**
 * Comparing flattened params or metrics of two revisions (or a revision and the workspace).
 *
 * Owns: the pure diff that `params diff`, `metrics diff` and `exp show` tabulate.
 * Does not own: where the values come from, or how rows are printed.
 */
import type { FlatValues, Scalar } from './flatten.js';

/** The values of every compared file at one side, keyed by project path; absent file = undefined. */
export type FileValues = Map<string, FlatValues | undefined>;

/** One compared key. `change` is `new - old` when both are numbers. */
export interface DiffRow {
  /** Project path of the params or metrics file. */
  path: string;
  key: string;
  old: Scalar | Scalar[] | undefined;
  new: Scalar | Scalar[] | undefined;
  change?: number;
  /** False when old and new are equal (rows shown only with `--all`). */
  changed: boolean;
}

export interface DiffOptions {
  /** Include unchanged keys too. */
  all?: boolean;
}

/** Rows for every key of every file in either side, in path order then first-seen key order. */
export function diffFileValues(a: FileValues, b: FileValues, options: DiffOptions = {}): DiffRow[] {
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const rows: DiffRow[] = [];
  for (const path of paths) {
    const left: FlatValues = a.get(path) ?? new Map<string, Scalar | Scalar[]>();
    const right: FlatValues = b.get(path) ?? new Map<string, Scalar | Scalar[]>();
    const keys = [...new Set([...left.keys(), ...right.keys()])];
    for (const key of keys) {
      const row = diffOne(path, key, left.get(key), right.get(key));
      if (row.changed || options.all) rows.push(row);
    }
  }
  return rows;
}

function diffOne(
  path: string,
  key: string,
  o: Scalar | Scalar[] | undefined,
  n: Scalar | Scalar[] | undefined,
): DiffRow {
  const changed = !sameValue(o, n);
  const row: DiffRow = { path, key, old: o, new: n, changed };
  if (typeof o === 'number' && typeof n === 'number') row.change = roundDelta(n - o);
  return row;
}

/** Deep equality for scalars and scalar arrays. */
export function sameValue(a: Scalar | Scalar[] | undefined, b: Scalar | Scalar[] | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

/** Removes floating-point noise such as 0.30000000000000004 from a difference. */
function roundDelta(d: number): number {
  return Number.isFinite(d) ? Number(d.toPrecision(12)) : d;
}

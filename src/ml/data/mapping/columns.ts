/**
 * Finds the columns a mapping names in a table's header, or raises one error that lists every missing
 * column with the params key that names it and the header's actual columns (with a "did you mean" when
 * a column differs only in case or punctuation).
 *
 * Owns: header → column indices. Does not own: the values (values.ts) or rows (map-rows.ts).
 */
import { InputError } from '../../params/index.js';
import type { CsvMapping, ColumnRef } from './mapping.js';
import { labelColumns } from './values.js';

/** Column index per role (-1: not mapped, or an optional column the table lacks). */
export interface ResolvedColumns {
  path: number;
  patient: number;
  labels: { column: string; index: number }[];
  view: number;
  sex: number;
  age: number;
  mask: number;
  filter: { column: string; allowed: string[]; index: number }[];
}

/** How to word a missing column: the params field (`data.csv.patient`) per key, or a preset's hint. */
export interface ColumnNaming {
  /** Params field for a mapping key (`patient` → `data.csv.patient`), or null for a built-in layout. */
  fieldOf: ((key: string) => string) | null;
  /** Last sentence: what to do. */
  hint: string;
}

const squash = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

function suggestion(name: string, header: readonly string[]): string | null {
  const n = squash(name);
  return (
    header.find((h) => h !== '' && squash(h) === n) ??
    header.find((h) => h !== '' && n !== '' && (squash(h).includes(n) || n.includes(squash(h)))) ??
    null
  );
}

export function resolveColumns(
  file: string,
  rawHeader: readonly string[],
  m: CsvMapping,
  naming: ColumnNaming,
): ResolvedColumns {
  const header = rawHeader.map((h) => h.trim());
  const wanted: [key: string, name: string, optional: boolean][] = [['path', m.path, false]];
  for (const c of labelColumns(m.labels)) wanted.push(['labels', c, false]);
  wanted.push(['patient', m.patient, false]);
  const refs: [string, ColumnRef | null][] = [
    ['view', m.view],
    ['sex', m.sex],
    ['age', m.age],
    ['mask', m.mask],
  ];
  for (const [key, ref] of refs) if (ref) wanted.push([key, ref.name, ref.optional]);
  for (const f of m.filter) wanted.push([`filter.${f.column}`, f.column, false]);

  const missing = wanted.filter(([, name, optional]) => !optional && !header.includes(name));
  if (missing.length > 0) {
    const found = header
      .filter((h) => h !== '')
      .map((h) => `'${h}'`)
      .join(', ');
    if (naming.fieldOf === null) {
      throw new InputError(
        `${file} has the wrong columns: missing ${missing.map(([, n]) => `'${n}'`).join(', ')} (found ${found}). ${naming.hint}`,
      );
    }
    const fieldOf = naming.fieldOf;
    const items = missing.map(([key, name]) => {
      const near = suggestion(name, header);
      return `'${name}' (${fieldOf(key)}${near ? `; did you mean '${near}'?` : ''})`;
    });
    throw new InputError(
      `${file}:1: the header has no column ${items.join(', ')}; its columns are ${found}. ${naming.hint}`,
    );
  }
  const dupes = [...new Set(wanted.map(([, n]) => n))].filter((n) => header.indexOf(n) !== header.lastIndexOf(n));
  if (dupes.length > 0) {
    throw new InputError(
      `${file}:1: the header has the column ${dupes.map((d) => `'${d}'`).join(', ')} more than once, so the mapping is ambiguous; rename one of them in the CSV.`,
    );
  }
  const at = (ref: ColumnRef | null): number => (ref ? header.indexOf(ref.name) : -1);
  return {
    path: header.indexOf(m.path),
    patient: header.indexOf(m.patient),
    labels: labelColumns(m.labels).map((column) => ({ column, index: header.indexOf(column) })),
    view: at(m.view),
    sex: at(m.sex),
    age: at(m.age),
    mask: at(m.mask),
    filter: m.filter.map((f) => ({ ...f, index: header.indexOf(f.column) })),
  };
}

/**
 * The dataset-independent view of one image that every reader produces, and the bookkeeping of bad rows.
 *
 * Owns: `ImageRecord`, `BadRow`, and `settleBadRows` (the one place that decides between a clear error
 * listing the first offenders and, with `on_bad_rows: skip`, a warning with a count). Never a silent drop.
 * Does not own: reading any particular layout (readers/).
 */
import { InputError } from '../params/index.js';

export type OfficialSplit = 'train' | 'val' | 'test';

export interface ImageRecord {
  /** File name as in the dataset, e.g. `00000001_000.png` or `person1_virus_6.jpeg`; unique. */
  id: string;
  /** Image path relative to the project root (POSIX separators), e.g. `data/raw/images/00000001_000.png`. */
  path: string;
  patientId: string;
  /** Findings as the dataset names them; empty for `No Finding` / NORMAL. */
  labels: string[];
  /** Kermany pneumonia subtype from the file name (`Bacterial` | `Viral`), when known. */
  subtype?: string;
  /** Lung-field mask path relative to the project root, or null. */
  mask: string | null;
  /** Split assigned by the dataset's publishers, when the layout has one. */
  official?: OfficialSplit;
  /** Metadata of the columns the dataset maps (a key is present only when mapped; null = unknown). */
  meta?: RecordMeta;
}

/** The metadata columns a mapping may carry, in split-CSV order. */
export const META_COLUMNS = ['view', 'sex', 'age'] as const;
export type MetaColumn = (typeof META_COLUMNS)[number];

/** One image's metadata (see ImageMeta in preprocessed-format.ts for the per-split arrays). */
export interface RecordMeta {
  view?: string | null;
  sex?: 'F' | 'M' | null;
  age?: number | null;
}

/** Rows left out by one `filter:` rule, and the values they held. */
export interface FilterCount {
  column: string;
  allowed: string[];
  rows: number;
  /** Value as written (trimmed; `''` for empty) → rows. */
  values: Record<string, number>;
}

/** One offending row or file, with where it is and what is wrong. */
export interface BadRow {
  /** File the problem is in (the CSV, or the image itself). */
  file: string;
  /** 1-based line in `file` for CSV rows (the header is line 1). */
  line?: number;
  problem: string;
}

export type OnBadRows = 'error' | 'skip';

export interface ReadResult {
  records: ImageRecord[];
  bad: BadRow[];
  /** Rows in the dataset's table (CSV rows or files found), before filtering. */
  rows?: number;
  /** Rows left out by the mapping's filter rules, per rule. */
  filtered?: FilterCount[];
  /** Metadata columns the dataset maps (split CSVs and SplitIndex.meta carry these). */
  metaColumns?: MetaColumn[];
}

function describeBad(b: BadRow): string {
  return `${b.file}${b.line !== undefined ? `:${b.line}` : ''}: ${b.problem}`;
}

/**
 * Raises one error paragraph listing the first offenders, or (policy `skip`) returns a warning text with
 * the count. Returns null when there is nothing bad.
 */
export function settleBadRows(bad: readonly BadRow[], policy: OnBadRows, what: string): string | null {
  if (bad.length === 0) return null;
  const first = bad.slice(0, 5).map(describeBad).join('; ');
  const more = bad.length > 5 ? ` (and ${bad.length - 5} more)` : '';
  if (policy === 'skip') {
    return `skipped ${bad.length} bad ${bad.length === 1 ? 'entry' : 'entries'} of ${what}: ${first}${more}`;
  }
  throw new InputError(
    `${bad.length} bad ${bad.length === 1 ? 'entry' : 'entries'} in ${what}: ${first}${more}. ` +
      'Fix or remove them, or set split.on_bad_rows: skip in params.yaml to leave them out with a warning.',
  );
}

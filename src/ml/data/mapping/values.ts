/**
 * Turns metadata and label cells into clean values: view (upper-cased), sex (F | M), age in years, and a
 * label cell into finding names under a mapping's separator, renaming and no-finding rules.
 *
 * Owns: the value rules (documented in docs for `data.csv`). Does not own: which column holds what.
 * Pure: no IO.
 */
import type { LabelSource } from './mapping.js';

/** `PA`, `AP`, `AP SUPINE`, `L`, … as written (trimmed, upper-cased), or null when empty. */
export function normaliseView(cell: string): string | null {
  const v = cell.trim().replace(/\s+/g, ' ').toUpperCase();
  return v === '' ? null : v;
}

const SEX: Record<string, 'F' | 'M'> = { f: 'F', female: 'F', w: 'F', woman: 'F', m: 'M', male: 'M', man: 'M' };

/** `F` / `M` from F, Female, W, Woman / M, Male, Man (any case), else null (unknown). */
export function normaliseSex(cell: string): 'F' | 'M' | null {
  return SEX[cell.trim().toLowerCase()] ?? null;
}

/**
 * Age in years from `57`, `57.5`, `057Y`, `6M` (months), `3W`, `10D` (DICOM age strings), else null.
 * Values outside [0, 120] are data-entry errors (the NIH file has ages above 400) and count as unknown.
 */
export function parseAge(cell: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([YMWD])?$/i.exec(cell.trim());
  if (!m) return null;
  const per = { Y: 1, M: 12, W: 52.1775, D: 365.25 }[
    ((m[2] as string | undefined) ?? 'Y').toUpperCase() as 'Y' | 'M' | 'W' | 'D'
  ];
  const years = Number(m[1]) / per;
  return years >= 0 && years <= 120 ? Math.round(years * 100) / 100 : null;
}

/** Renaming and no-finding rules of a mapping (keys lower-cased). */
export interface LabelRules {
  noFinding: readonly string[];
  rename: ReadonlyMap<string, string>;
}

function renamed(name: string, rules: LabelRules): string {
  return rules.rename.get(name.toLowerCase()) ?? name;
}

/** Distinct names in first-seen order, without the no-finding ones. */
function findings(names: readonly string[], rules: LabelRules): string[] {
  return [...new Set(names.filter((n) => n !== '' && !rules.noFinding.includes(n.toLowerCase())))];
}

/**
 * Finding names of one label cell: the whole cell is renamed first (so `"COVID-19, ARDS": COVID-19` merges
 * a combined value), then split by the separator and each name renamed. Returns a problem text instead
 * when the cell is empty and `''` is not a no-finding value.
 */
export function labelsOfCell(
  cell: string,
  separator: string | null,
  rules: LabelRules,
): { labels: string[] } | { problem: string } {
  const whole = renamed(cell.trim(), rules);
  if (whole === '' && !rules.noFinding.includes('')) return { problem: 'empty label' };
  if (rules.noFinding.includes(whole.toLowerCase())) return { labels: [] };
  const parts = separator === null ? [whole] : whole.split(separator);
  return {
    labels: findings(
      parts.map((p) => renamed(p.trim(), rules)),
      rules,
    ),
  };
}

const ONE = new Set(['1', '1.0', 'true', 'yes']);
const ZERO = new Set(['0', '0.0', 'false', 'no']);

/** Finding names of 0/1 label columns (the column name, renamed, for each 1). */
export function labelsOfColumns(
  cells: readonly { column: string; value: string }[],
  rules: LabelRules,
): { labels: string[] } | { problem: string } {
  const names: string[] = [];
  for (const { column, value } of cells) {
    const v = value.trim().toLowerCase();
    if (v === '') return { problem: `empty label in column '${column}' (expected 0 or 1)` };
    if (ONE.has(v)) names.push(renamed(column, rules));
    else if (!ZERO.has(v)) return { problem: `'${value}' in label column '${column}' (expected 0 or 1)` };
  }
  return { labels: findings(names, rules) };
}

/** The columns a label source reads. */
export function labelColumns(source: LabelSource): string[] {
  return source.kind === 'column' ? [source.column] : source.columns;
}

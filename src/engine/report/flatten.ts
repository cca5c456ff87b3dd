/**
 * Flattening of nested params and metrics into dotted keys, DVC-style.
 *
 * Owns: turning a parsed YAML/JSON value into `{ 'train.lr': 0.001, 'auc.Effusion': 0.81 }`.
 * Does not own: reading files (read-values.ts) or comparing values (diff-values.ts).
 *
 * Objects nest with `.`; arrays of scalars stay one value (shown as `[1, 2]`), arrays of objects are
 * indexed (`folds.0.auc`) so per-item metrics can still be compared.
 */

/** A leaf value: what a params or metrics table cell shows. */
export type Scalar = string | number | boolean | null;

/** Flattened values of one file, keyed by dotted path, in document order. */
export type FlatValues = Map<string, Scalar | Scalar[]>;

/** Flattens `value` below `prefix` (empty for a whole file). A top-level scalar gets the key `prefix` or `value`. */
export function flatten(value: unknown, prefix = ''): FlatValues {
  const out: FlatValues = new Map();
  walk(value, prefix, out);
  return out;
}

function walk(value: unknown, key: string, out: FlatValues): void {
  if (Array.isArray(value)) {
    if (value.every(isScalar)) {
      out.set(key || 'value', value as Scalar[]);
      return;
    }
    value.forEach((item, i) => walk(item, join(key, String(i)), out));
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && key) out.set(key, null);
    for (const [k, v] of entries) walk(v, join(key, k), out);
    return;
  }
  out.set(key || 'value', isScalar(value) ? value : String(value));
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function isScalar(v: unknown): v is Scalar {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

/** Formats a flattened value for a table cell: numbers unchanged up to 6 significant digits. */
export function formatValue(v: Scalar | Scalar[] | undefined): string {
  if (v === undefined) return '-';
  if (Array.isArray(v)) return `[${v.map((x) => formatValue(x)).join(', ')}]`;
  if (typeof v === 'number') return formatNumber(v);
  if (v === null) return 'null';
  return String(v);
}

/** Rounds to 6 significant digits without trailing zeros; integers are shown as they are. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n) || Number.isInteger(n)) return String(n);
  const s = n.toPrecision(6);
  return s.includes('e') ? s : String(Number(s));
}

/** Inverse of flatten for dotted keys: sets `a.b.c` inside a nested plain object (creating levels). */
export function setDotted(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

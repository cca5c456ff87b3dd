/**
 * Flattening of nested params and metrics into dotted keys, DVC-style.
 *
 * Owns: turning a parsed YAML/JSON value into `{ 'train.lr': 0.001, 'auc.Effusion': 0.81 }`.
 * Does not own: reading files (read-values.ts) or comparing values (diff-values.ts).
 *
 * Objects nest with `.`; arrays of scalars stay one value (shown as `[1, 2]`). Arrays of objects that
 * all carry a distinct text `label`, `name`, `id` or `class` are keyed by it (`labels.Effusion.auc`), so
 * diffs stay aligned when the order changes; other arrays of objects are indexed (`folds.0.auc`).
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
      out.set(key || 'value', value);
      return;
    }
    const id = idField(value);
    value.forEach((item, i) => {
      if (!id) return walk(item, join(key, String(i)), out);
      const { [id]: name, ...rest } = item as Record<string, unknown>;
      walk(rest, join(key, String(name)), out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && key) out.set(key, null);
    for (const [k, v] of entries) walk(v, join(key, k), out);
    return;
  }
  // Only functions, symbols and bigints reach here (objects and arrays are walked above).
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects never reach here
  out.set(key || 'value', isScalar(value) ? value : String(value));
}

const ID_FIELDS = ['label', 'name', 'id', 'class'];

/** The identifying field of an array of objects, when every item has a distinct text value for it. */
export function idField(items: unknown[]): string | undefined {
  if (items.length === 0 || !items.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x)))
    return undefined;
  return ID_FIELDS.find((f) => {
    const values = items.map((x) => (x as Record<string, unknown>)[f]);
    return values.every((v) => typeof v === 'string' && v !== '') && new Set(values).size === values.length;
  });
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
  node[parts[parts.length - 1]] = value;
}

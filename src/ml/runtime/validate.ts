/**
 * The one error wording for invalid runtime/model options (sharp style):
 * `expected one of auto, wasm for runtime.backend, got 'gpu' (string)`.
 * Owns: the wording only. Used by src/ml/runtime, src/ml/models and src/ml/io.
 */

/** Describes a received value as `'text' (string)` / `3 (number)`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `${JSON.stringify(value)} (array)`;
  return `${String(value)} (${typeof value})`;
}

/** Throws `expected <what> for <field>, got <value>`. */
export function invalid(what: string, field: string, value: unknown): never {
  throw new Error(`expected ${what} for ${field}, got ${describe(value)}`);
}

/** Returns `value` if it is one of `allowed`, else throws the standard error. */
export function expectedOneOf<T extends string>(allowed: readonly T[], value: unknown, field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return invalid(`one of ${allowed.join(', ')}`, field, value);
}

/** Returns `value` if it is a positive integer, else throws the standard error. */
export function expectedPositiveInt(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  return invalid('positive integer', field, value);
}

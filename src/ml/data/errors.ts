/**
 * User-input errors of the data library and the one wording every parameter check uses.
 *
 * Owns: `DataError` (bad params or bad data, shown to the user as one paragraph, no stack) and the
 * validators `expectInt`, `expectNumber`, `expectOneOf`, ... that produce messages like
 * "expected positive integer for preprocess.size, got '10' (string)".
 * Does not own: how the error reaches the user (stages turn a DataError into a StageInputError).
 */

/** Bad parameters or bad data: the message names the file/row/field and says what to do. */
export class DataError extends Error {
  override readonly name = 'DataError';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  const shown = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `'${shown}' (${Array.isArray(value) ? 'array' : typeof value})`;
}

/** The single error wording: `expected <what> for <name>, got '<value>' (<type>)`. */
export function invalidParam(name: string, expected: string, value: unknown): DataError {
  return new DataError(`expected ${expected} for ${name}, got ${describe(value)}`);
}

export function expectInt(value: unknown, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const what = min === 1 && max === Number.MAX_SAFE_INTEGER ? 'positive integer'
      : max === Number.MAX_SAFE_INTEGER ? `integer >= ${min}` : `integer between ${min} and ${max}`;
    throw invalidParam(name, what, value);
  }
  return value;
}

export function expectNumber(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalidParam(name, `number between ${min} and ${max}`, value);
  }
  return value;
}

export function expectOneOf<T extends string>(value: unknown, name: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalidParam(name, `one of ${choices.join(' | ')}`, value);
  }
  return value as T;
}

export function expectBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw invalidParam(name, 'true or false', value);
  return value;
}

export function expectString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidParam(name, 'non-empty string', value);
  return value;
}

/** A params section as a plain object (missing section → empty object, so defaults apply). */
export function expectSection(value: unknown, name: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam(name, 'mapping', value);
  return value as Record<string, unknown>;
}

/** Takes `section[key]` or the default when absent. */
export function field(section: Record<string, unknown>, key: string, fallback: unknown): unknown {
  return section[key] === undefined || section[key] === null ? fallback : section[key];
}

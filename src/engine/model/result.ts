/**
 * Result values for expected failures, and `assertNever` for exhaustive switches.
 * Owns: the tiny Result vocabulary used across the engine. Does not own: any error text.
 */

/** Either a value or an expected failure; exceptions are reserved for bugs. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { ok: false; error: E } {
  return { ok: false, error };
}

/** Compile-time exhaustiveness check; reaching it at run time is a bug. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

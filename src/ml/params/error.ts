/**
 * The one error class of `src/ml` for bad user input: params, data files, images.
 *
 * Owns: {@link InputError} and the one wording of a bad parameter (`expected <what> for <field>, got
 * '<value>' (<type>)`, sharp style). Does not own: how the error reaches the user (a stage turns an
 * InputError into the stage API's StageInputError with `asUserErrors`; the CLI prints it for `predict`).
 * Anything else thrown inside src/ml is a bug and keeps its stack trace.
 */

/** Bad params or bad data: the message names the file/row/field and says what to do. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/** `'10' (string)`: the value as the user wrote it, and its type. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  const type = Array.isArray(value) ? 'array' : typeof value;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects are JSON-encoded first
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `'${text}' (${type})`;
}

/** The uniform error for one field: `expected <what> for <field>, got <value>[: hint]`. */
export function invalidParam(field: string, expected: string, value: unknown, hint?: string): InputError {
  return new InputError(`expected ${expected} for ${field}, got ${describeValue(value)}${hint ? `: ${hint}` : ''}`);
}

/** Throws {@link invalidParam}. */
export function invalid(expected: string, field: string, value: unknown, hint?: string): never {
  throw invalidParam(field, expected, value, hint);
}

/** True for errors that mean "the user's params or data are wrong" (recognised by type, never by text). */
export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}

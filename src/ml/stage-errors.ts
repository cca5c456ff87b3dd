/**
 * Helper for stage modules: runs library code and re-raises a bad-input error (bad params or data) as the
 * stage API's user-input error, so the user sees one paragraph and no stack trace; anything else (a bug)
 * propagates unchanged. It takes the error factory as an argument so `src/ml` never imports the stage API.
 */

/** Error classes of `src/ml` that mean "the user's params or data are wrong", recognised by name. */
const INPUT_ERROR_NAMES = new Set(['DataError', 'OptionError']);

/**
 * The message of a bad-input error (a DataError or OptionError, or the zoo's/runtime's
 * `expected … for …, got …` validation errors), or null for anything else.
 */
export function inputErrorMessage(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  if (INPUT_ERROR_NAMES.has(err.name) || /^expected .+ for .+, got /s.test(err.message)) return err.message;
  return null;
}

export async function asUserErrors<T>(work: () => Promise<T>, toUserError: (message: string) => Error): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const message = inputErrorMessage(e);
    if (message !== null) throw toUserError(message);
    throw e;
  }
}

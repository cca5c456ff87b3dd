/**
 * Helper for stage modules: runs library code and re-raises a bad-input error (an {@link InputError}:
 * bad params or data) as the stage API's user-input error, so the user sees one paragraph and no stack
 * trace; anything else (a bug) propagates unchanged. Errors are told apart by type, never by message
 * text. It takes the error factory as an argument so `src/ml` never imports the stage API.
 */
import { isInputError } from './params/index.js';

/** The message of a bad-input error, or null for anything else. */
export function inputErrorMessage(err: unknown): string | null {
  return isInputError(err) ? err.message : null;
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

/**
 * Helper for stage modules: runs library code and re-raises a `DataError` (bad params or data) as the
 * stage API's user-input error, so the user sees one paragraph and no stack trace.
 * Owns nothing else; it takes the error class as an argument so `src/ml` never imports the stage API.
 */
import { DataError } from './errors.js';

export async function asUserErrors<T>(work: () => Promise<T>, toUserError: (message: string) => Error): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof DataError) throw toUserError(e.message);
    throw e;
  }
}

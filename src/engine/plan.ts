/**
 * The decision for one stage, from its stale reasons and what the caches hold. Pure.
 * Owns: the precedence frozen → up to date → restore from cache → restore from run cache → run.
 */
import type { StaleReason } from './model/reasons.js';

export type Decision =
  | { action: 'skip-frozen' }
  | { action: 'up-to-date' }
  /** Only outs are missing and the lock's objects are all in the cache. */
  | { action: 'restore-cache'; paths: string[] }
  | { action: 'restore-run-cache' }
  | { action: 'run'; reasons: StaleReason[] };

export interface DecideInput {
  frozen: boolean;
  forced: boolean;
  reasons: readonly StaleReason[];
  /**
   * Every out recorded in the lock entry is complete in the object store. Restoring verifies each object;
   * when one is corrupt (and quarantined) the caller decides again with this false, so the stage runs.
   */
  lockedOutsCached: boolean;
  /** An earlier run with the same key exists and its outs are all cached (false with --no-run-cache). */
  runCacheHit: boolean;
}

export function decide(input: DecideInput): Decision {
  if (input.frozen && !input.forced) return { action: 'skip-frozen' };
  const reasons: StaleReason[] = input.forced ? [{ kind: 'forced' }, ...input.reasons] : [...input.reasons];
  if (reasons.length === 0) return { action: 'up-to-date' };
  const onlyMissingOuts = reasons.every((r) => r.kind === 'out-missing');
  if (onlyMissingOuts && input.lockedOutsCached) {
    return { action: 'restore-cache', paths: reasons.map((r) => (r.kind === 'out-missing' ? r.path : '')) };
  }
  const mayUseRunCache = !input.forced && !reasons.some((r) => r.kind === 'always-changed');
  if (mayUseRunCache && input.runCacheHit) return { action: 'restore-run-cache' };
  return { action: 'run', reasons };
}

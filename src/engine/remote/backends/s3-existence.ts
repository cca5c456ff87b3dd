/**
 * Choosing how to ask an S3 remote which of k object ids it holds, by the number of requests each way
 * costs for the numbers at hand (pure):
 * - `head`: one HeadObject per id: k requests (parallel).
 * - `list-prefixes`: list each fan-out folder `ab/` the ids fall in: P × ⌈n/256/1000⌉ requests for P
 *   distinct folders and an estimated n objects (hashes spread evenly over the 256 folders; a page holds
 *   1,000 keys).
 * - `list-all`: list the whole remote: ⌈n/1000⌉ pages (sequential).
 * The estimate n comes from the first page of the full listing, which is the probe: keys come back
 * sorted, so if 1,000 keys reach hash position f (the last key's hex digits as a fraction of the hash
 * space), the remote holds about 1,000 / f objects. If that page is not truncated, it already is the full
 * answer (one request: an empty or small remote). Like DVC's remote-size estimate, but from the request that
 * also answers the ids it covers.
 * Owns: the cost model and the estimate. Does not own: sending requests (s3-object-store.ts).
 */

export type ExistenceStrategy = 'head' | 'list-prefixes' | 'list-all';

/** Keys per ListObjectsV2 page (the S3 maximum). */
export const PAGE = 1000;
const FANOUT = 256;

export interface ExistencePlan {
  strategy: ExistenceStrategy;
  costs: Record<ExistenceStrategy, number>;
}

/**
 * The cheapest strategy for `ids` (hex object ids) on a remote of about `estimated` objects, of which the
 * fraction `covered` of the hash space was already listed. Ties go to the parallel strategies.
 */
export function planExistence(ids: readonly string[], estimated: number, covered = 0): ExistencePlan {
  const prefixes = new Set(ids.map((id) => id.slice(0, 2))).size;
  const costs = {
    head: ids.length,
    'list-prefixes': prefixes * Math.max(1, Math.ceil(estimated / FANOUT / PAGE)),
    'list-all': Math.max(1, Math.ceil((estimated * (1 - covered)) / PAGE)),
  };
  const order: ExistenceStrategy[] = ['head', 'list-prefixes', 'list-all'];
  const strategy = order.reduce((best, s) => (costs[s] < costs[best] ? s : best), 'head' as ExistenceStrategy);
  return { strategy, costs };
}

/**
 * Where relative key `rel` (`ab/cdef…`) lies in the hash space, in [0, 1]; keys past the object folders
 * (`runs/…`, which sorts after every hex digit) are at 1.
 */
export function hashPosition(rel: string): number {
  const m = /^([0-9a-f]{2})\/([0-9a-f]*)/.exec(rel);
  if (!m) return 1;
  const hex = `${m[1]}${m[2]}`.slice(0, 12).padEnd(12, '0');
  return parseInt(hex, 16) / 16 ** 12;
}

/** Objects estimated from a truncated first page of `PAGE` keys whose last key is at `position`. */
export function estimateFromPage(keysInPage: number, position: number): number {
  return position <= 0 ? Number.MAX_SAFE_INTEGER : Math.ceil(keysInPage / position);
}

/**
 * A bounded prefetch queue: while the consumer works on item k (a training step runs synchronously on
 * the main thread), the reads of items k+1 .. k+depth-1 proceed on libuv's I/O threads. Items are
 * yielded strictly in order, so whatever the consumer does with them (augmentation draws from a seeded
 * RNG) happens in the same sequence as without prefetching.
 *
 * Owns: the queue and its bound. Does not own: what an item is (the `load` callback).
 */

/** Default queue depth: batches in flight ahead of the one being consumed. */
export const PREFETCH_DEPTH = 4;

/** Yields `load(0) .. load(count-1)` in order, keeping at most `depth` loads in flight. */
export async function* prefetched<T>(
  count: number,
  load: (k: number) => Promise<T>,
  depth = PREFETCH_DEPTH,
): AsyncGenerator<T> {
  const queue: Promise<T>[] = [];
  let next = 0;
  const enqueue = (): void => {
    const p = load(next++);
    // A load still queued when the consumer stops early (abort) must not become an unhandled rejection.
    p.catch(() => undefined);
    queue.push(p);
  };
  while (queue.length < Math.max(1, depth) && next < count) enqueue();
  while (queue.length > 0) {
    const item = await (queue.shift() as Promise<T>);
    if (next < count) enqueue();
    yield item;
  }
}

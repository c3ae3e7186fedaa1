/**
 * Recently computed metric results, keyed by warehouse version + family + parameters + config.
 * The warehouse only changes by being replaced (a new version), so a cached result is never
 * stale; Monday's many views of the same page cost one computation.
 */
// A result is up to a few MB (work reports of every rep and week): 40 keep memory in the low hundreds of MB.
export const RESULT_CACHE_ENTRIES = 40;

const cache = new Map<string, Promise<unknown>>();

export function cached<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) {
    // refresh its place: the map's order is least-recently-used first
    cache.delete(key);
    cache.set(key, hit);
    return hit as Promise<T>;
  }
  const promise = compute();
  cache.set(key, promise);
  promise.catch(() => cache.delete(key)); // failures are not remembered
  while (cache.size > RESULT_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return promise;
}

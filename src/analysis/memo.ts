// One policy for the analyses' caches keyed by text (SQL statements, identifiers): the
// same texts come back across rules and files, and memory must stay bounded over a run
// of thousands of files, so a full cache is forgotten at once.

const LIMIT = 2000;

/** `compute` with its results kept by text; the cache empties when it reaches 2,000 entries. Results are shared: callers must not modify them. */
export function memoByText<T>(compute: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const hit = cache.get(text);
    if (hit !== undefined) return hit;
    const value = compute(text);
    if (cache.size >= LIMIT) cache.clear();
    cache.set(text, value);
    return value;
  };
}

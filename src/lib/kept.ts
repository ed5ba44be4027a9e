/** What keptFor gives: each key's value, and a way to have one loaded again at its next use. */
export interface Kept<K, V> {
  get(key: K): Promise<V>;
  forget(key: K): void;
}

/**
 * Values worth reading now and then rather than on every use: each key's value loaded at most once every `ms`
 * (callers at the same time share one load), a failed load not kept, so the next use loads again. For a few keys:
 * nothing is evicted but by `forget` or time.
 */
export function keptFor<K, V>(ms: number, load: (key: K) => Promise<V>): Kept<K, V> {
  const kept = new Map<K, { at: number; value: Promise<V> }>();
  return {
    get(key) {
      const now = performance.now();
      const entry = kept.get(key);
      if (entry !== undefined && now - entry.at < ms) return entry.value;
      const value = load(key);
      value.catch(() => {
        if (kept.get(key)?.value === value) kept.delete(key);
      });
      kept.set(key, { at: now, value });
      return value;
    },
    forget(key) {
      kept.delete(key);
    },
  };
}

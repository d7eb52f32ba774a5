interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A bounded map whose entries expire after a fixed time; loads a missing or stale entry once even
 * when many callers ask at the same moment.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly loading = new Map<K, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value while it is fresh, without a promise: the hot path of every request. */
  peek(key: K): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expiresAt > this.now() ? { value: entry.value } : undefined;
  }

  async get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return entry.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load(key).then(
      (value) => {
        this.set(key, value);
        this.loading.delete(key);
        return value;
      },
      (error: unknown) => {
        this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, promise);
    return promise;
  }

  set(key: K, value: V): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}

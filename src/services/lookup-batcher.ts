// Lookups by key made in the same turn of the event loop, answered by one call of `load` (the idea
// of Facebook's DataLoader). Under load a replica parses requests from many connections in one
// poll phase; each used to send its own single-row query, and the round trips (a socket write and
// a wake-up of a PostgreSQL backend each) cost the service more CPU than the rows. The batch goes
// out in the check phase (setImmediate) after the requests of that poll phase, so a lone request
// waits for nothing but the rest of its own turn.

/** Keys in, the values found by key out; keys not in the map have no value. */
export type BatchLoad<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class LookupBatcher<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();

  /** `maxBatch` caps the keys of one call; more waiting keys go out as further calls in the same turn. */
  constructor(
    private readonly load: BatchLoad<K, V>,
    private readonly maxBatch = 100,
  ) {
    if (!(maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1, got ${maxBatch}`);
  }

  /** The value for `key`, or undefined when `load` finds none; a failed load rejects every lookup of its batch. */
  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) setImmediate(() => this.flush());
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
    });
  }

  private flush(): void {
    const all = [...this.waiting];
    this.waiting = new Map();
    for (let start = 0; start < all.length; start += this.maxBatch) {
      const batch = new Map(all.slice(start, start + this.maxBatch));
      this.load([...batch.keys()]).then(
        (found) => {
          for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
        },
        (error: unknown) => {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
        },
      );
    }
  }
}

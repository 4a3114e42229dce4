// Lookups by key made in the same turn of the event loop, answered by one call of `load` (the idea
// of Facebook's DataLoader). Under load a replica parses requests from many connections in one
// poll phase; each used to send its own single-row query, and the round trips (a socket write and
// a wake-up of a PostgreSQL backend each) cost the service more CPU than the rows. The batch goes
// out in the check phase (setImmediate) after the requests of that poll phase, so a lone request
// waits for nothing but the rest of its own turn. With `maxInFlight` loads already out, lookups
// wait for one of them to come back and go out together then: fewer, larger batches when the
// database is the slower side (bench/db-reads/README.md).

/** Keys in, the values found by key out; keys not in the map have no value. */
export type BatchLoad<K, V> = (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>;

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export interface LookupBatcherOptions {
  /** Keys per call of `load`; more waiting keys go out as further calls in the same turn. */
  maxBatch?: number;
  /** Calls of `load` out at once before new lookups wait for one to come back. */
  maxInFlight?: number;
}

export class LookupBatcher<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly load: BatchLoad<K, V>,
    options: LookupBatcherOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 100;
    this.maxInFlight = options.maxInFlight ?? Infinity;
    if (!(this.maxBatch >= 1)) throw new RangeError(`maxBatch must be at least 1, got ${this.maxBatch}`);
    if (!(this.maxInFlight >= 1)) throw new RangeError(`maxInFlight must be at least 1, got ${this.maxInFlight}`);
  }

  /** The value for `key`, or undefined when `load` finds none; a failed load rejects every lookup of its batch. */
  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      this.schedule();
    });
  }

  /** A flush at the end of this turn, unless one is due or every slot is out (a load coming back schedules it). */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.waiting.size === 0) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const all = [...this.waiting];
    this.waiting = new Map();
    for (let start = 0; start < all.length; start += this.maxBatch) {
      const batch = new Map(all.slice(start, start + this.maxBatch));
      this.inFlight++;
      this.load([...batch.keys()])
        .then(
          (found) => {
            for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
          },
          (error: unknown) => {
            for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
          },
        )
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}

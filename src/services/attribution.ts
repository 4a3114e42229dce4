// Served recommendation lists recorded without slowing the hot path: a request only appends a few
// references to an in-memory buffer (bounded: when it is full, lists are dropped and counted);
// a timer writes the buffer in multi-row inserts and, once an hour, prunes lists older than
// ATTRIBUTION_DAYS. Also the in-process counters behind the Prometheus metrics (served, clicked,
// converted, dropped) and the report of clicks and attributed orders per model, source, strategy.
import type { Db } from '../db/client.ts';
import { insertServed, pruneServed, servedReport, type ServedReportRow, type ServedRow } from '../db/queries/served-recommendations.ts';
import type { EventInput } from '../db/queries/events.ts';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Recommendations } from './recommendations.ts';

export interface RecorderOptions {
  /** Days a served list is kept; 0 records nothing. */
  retentionDays: number;
  /** Lists held in memory between flushes; beyond it they are dropped (and counted). */
  capacity?: number;
  /** Flush interval; 0 leaves flushing to the caller (tests). */
  flushMs?: number;
  /** Rows per insert statement. */
  batchSize?: number;
  pruneEveryMs?: number;
}

const defaults = { capacity: 50_000, flushMs: 1_000, batchSize: 1_000, pruneEveryMs: 3_600_000 };

/**
 * Lists waiting to be written, as flat arrays of references to strings the response already
 * holds. Keeping the response objects themselves until the flush made every one of them survive
 * garbage collections and be copied to the old generation: on the serving benchmark that cost
 * about 40% of the requests per second.
 */
class ServedBuffer {
  private readonly ids: string[] = [];
  private readonly customers: string[] = [];
  private readonly models: string[] = [];
  private readonly sources: string[] = [];
  private readonly strategies: string[] = [];
  private readonly servedAt: number[] = [];
  private readonly itemEnds: number[] = [];
  private readonly items: string[] = [];

  get length(): number {
    return this.ids.length;
  }

  push(r: Recommendations, strategy: string, at: number): void {
    this.ids.push(r.recommendationId);
    this.customers.push(r.customerId);
    this.models.push(r.modelVersion);
    this.sources.push(r.source);
    this.strategies.push(strategy);
    this.servedAt.push(at);
    for (const item of r.items) this.items.push(item.itemId);
    this.itemEnds.push(this.items.length);
  }

  /** Lists [from, to) as rows, leaving out customers in `skip`. */
  rows(from: number, to: number, skip: ReadonlySet<string>): ServedRow[] {
    const out: ServedRow[] = [];
    for (let k = from; k < Math.min(to, this.length); k++) {
      if (skip.has(this.customers[k]!)) continue;
      out.push({
        id: this.ids[k]!,
        customerExternalId: this.customers[k]!,
        modelVersion: this.models[k]!,
        source: this.sources[k]!,
        strategy: this.strategies[k]!,
        items: this.items.slice(k === 0 ? 0 : this.itemEnds[k - 1]!, this.itemEnds[k]!),
        servedAt: this.servedAt[k]!,
      });
    }
    return out;
  }
}

export interface AttributionCounts {
  /** Lists served, by source. */
  served: { personalized: number; fallback: number };
  clicks: number;
  conversions: number;
  dropped: number;
}

export class AttributionService {
  private buffer = new ServedBuffer();
  private readonly options: Required<RecorderOptions>;
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  readonly counts: AttributionCounts = { served: { personalized: 0, fallback: 0 }, clicks: 0, conversions: 0, dropped: 0 };

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly erased: ReadonlySet<string>,
    options: RecorderOptions,
  ) {
    this.options = { ...defaults, ...options } satisfies Required<RecorderOptions>;
  }

  get recording(): boolean {
    return this.options.retentionDays > 0;
  }

  /** Lists waiting for the next flush. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** The hot path's part: O(items), appends to arrays. */
  served(r: Recommendations, strategy = 'personalized'): void {
    if (!this.recording) return;
    this.counts.served[r.source]++;
    if (this.buffer.length >= this.options.capacity) {
      this.counts.dropped++;
      return;
    }
    this.buffer.push(r, strategy, Date.now());
  }

  /** Counts accepted events that name a served list (clicks, and purchases as conversions). */
  eventAccepted(e: EventInput): void {
    if (e.recommendationId === undefined) return;
    if (e.type === 'click') this.counts.clicks++;
    else if (e.type === 'purchase') this.counts.conversions++;
  }

  start(): void {
    if (!this.recording) return;
    if (this.options.flushMs > 0) {
      this.flushTimer = setInterval(() => void this.flush(), this.options.flushMs);
      this.flushTimer.unref();
    }
    if (this.options.pruneEveryMs > 0) {
      const prune = () => void this.prune().catch((err) => this.logger.warn({ err }, 'pruning served recommendation lists failed'));
      prune();
      this.pruneTimer = setInterval(prune, this.options.pruneEveryMs);
      this.pruneTimer.unref();
    }
  }

  stop(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
  }

  /** Writes everything buffered; concurrent callers share the flush in progress. A failed batch is dropped and counted. */
  flush(): Promise<void> {
    this.flushing ??= this.doFlush().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  prune(): Promise<number> {
    return pruneServed(this.db, this.options.retentionDays);
  }

  /** Served lists in [from, to) with their clicks, click-through rate and attributed orders and revenue. */
  async report(from: Date, to: Date): Promise<(ServedReportRow & { ctr: number })[]> {
    if (!(from < to)) throw new DomainError('invalid_request', '`from` must be before `to`', [{ path: 'query.from', message: 'must be before to' }]);
    const rows = await servedReport(this.db, from, to);
    return rows.map((r) => ({ ...r, ctr: r.served === 0 ? 0 : r.clickedLists / r.served }));
  }

  private async doFlush(): Promise<void> {
    // new lists go to a fresh buffer while this one is written
    const taken = this.buffer;
    this.buffer = new ServedBuffer();
    for (let k = 0; k < taken.length; k += this.options.batchSize) {
      const rows = taken.rows(k, k + this.options.batchSize, this.erased);
      try {
        await insertServed(this.db, rows);
      } catch (err) {
        this.counts.dropped += rows.length;
        this.logger.warn({ err, lists: rows.length }, 'writing served recommendation lists failed: batch dropped');
      }
    }
  }
}

// Served recommendation lists recorded without slowing the hot path: a request only pushes a
// reference onto an in-memory buffer (bounded: when it is full, lists are dropped and counted);
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

interface Pending {
  r: Recommendations;
  strategy: string;
  servedAt: number;
}

export interface AttributionCounts {
  /** Lists served, by source. */
  served: { personalized: number; fallback: number };
  clicks: number;
  conversions: number;
  dropped: number;
}

export class AttributionService {
  private buffer: Pending[] = [];
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

  /** The hot path's part: O(1), no allocation beyond the buffer entry. */
  served(r: Recommendations, strategy = 'personalized'): void {
    if (!this.recording) return;
    this.counts.served[r.source]++;
    if (this.buffer.length >= this.options.capacity) {
      this.counts.dropped++;
      return;
    }
    this.buffer.push({ r, strategy, servedAt: Date.now() });
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
    this.buffer = [];
    for (let k = 0; k < taken.length; k += this.options.batchSize) {
      const rows: ServedRow[] = [];
      for (const p of taken.slice(k, k + this.options.batchSize)) {
        if (this.erased.has(p.r.customerId)) continue;
        const { r } = p;
        rows.push({ id: r.recommendationId, customerExternalId: r.customerId, modelVersion: r.modelVersion, source: r.source, strategy: p.strategy, items: r.items.map((i) => i.itemId), servedAt: p.servedAt });
      }
      try {
        await insertServed(this.db, rows);
      } catch (err) {
        this.counts.dropped += rows.length;
        this.logger.warn({ err, lists: rows.length }, 'writing served recommendation lists failed: batch dropped');
      }
    }
  }
}

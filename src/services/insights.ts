// Shop-level numbers: value per segment and the retention rate over a period.
import type { Db } from '../db/client.ts';
import { segmentSummaries, type SegmentSummary } from '../db/queries/customer-scores.ts';
import { retentionCounts, type RetentionCounts } from '../db/queries/purchases.ts';
import { DomainError } from '../errors.ts';

export interface Retention extends RetentionCounts {
  from: Date;
  to: Date;
  lookbackDays: number;
  /** ((E − N) / S) × 100: customers at the end who were not acquired in the period, per 100 at the start. */
  retentionRate: number | null;
  /** lost / S × 100: customers active at the start who are no longer active at the end. */
  churnRate: number | null;
}

export class InsightService {
  constructor(private readonly db: Db) {}

  segments(): Promise<SegmentSummary[]> {
    return segmentSummaries(this.db);
  }

  /**
   * A customer is "a customer at time t" when they ordered within `lookbackDays` before t, so S is
   * measured at `from`, E at `to`, and N counts the customers of E whose first order falls inside
   * [from, to), so E − N is the customers kept (or won back) from before the period.
   */
  async retention(from: Date, to: Date, lookbackDays: number): Promise<Retention> {
    if (!(from < to)) throw new DomainError('invalid_request', '`from` must be before `to`', [{ path: 'query.from', message: 'must be before to' }]);
    const c = await retentionCounts(this.db, from, to, lookbackDays);
    const rate = (x: number) => (c.start === 0 ? null : (x / c.start) * 100);
    return { ...c, from, to, lookbackDays, retentionRate: rate(c.end - c.acquired), churnRate: rate(c.lost) };
  }
}

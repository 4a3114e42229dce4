// Shop-level numbers the dashboard shows: totals, retention and churn rate per month, the cohort
// triangle, risk tiers, segment values and churn spread, and a BG/NBD fit of the whole shop for the
// customer pages' P(alive) history. Each is an aggregate over all purchases or scores, so they are
// computed together once per data version (newest purchase row, newest scoring run, erasures) and
// reused: a page then costs one small query. When the data change, the figures already computed
// keep being served while the new ones are computed in the background (one computation at a time),
// so a shop taking orders all day never waits for a full recount on every page view.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.ts';
import { segmentSummaries, type SegmentSummary } from '../db/queries/customer-scores.ts';
import { riskTierCounts, segmentChurnSpread, type SegmentSpread } from '../db/queries/score-distribution.ts';
import { cohortCounts, monthlyRetentionCounts, repeatSummaryGroups, shopTotals, type MonthlyRetentionCounts, type ShopTotals } from '../db/queries/shop-history.ts';
import { cohortTable, type CohortTable } from '../ml/customers/cohorts.ts';
import { DAY_MS } from '../ml/customers/purchase-log.ts';
import { fitBgNbd, type BgNbdParams } from '../ml/lifetime/bg-nbd.ts';

/** "Active" on the dashboard, as in GET /v1/metrics/retention: an order within this many days. */
export const LOOKBACK_DAYS = 90;

export interface MonthlyRetention extends MonthlyRetentionCounts {
  /** ((E − N) / S) × 100, the API's definition; null when S = 0. */
  retentionRate: number | null;
  /** lost / S × 100. */
  churnRate: number | null;
}

export interface Overview {
  totals: ShopTotals;
  valueAtRisk: number;
  scoredCustomers: number;
  riskTiers: Record<'high' | 'medium' | 'low', number>;
  monthly: MonthlyRetention[];
  cohorts: CohortTable;
}

export interface SegmentsView {
  segments: (SegmentSummary & { spread: SegmentSpread['quartiles'] | null })[];
}

export interface ShopBgNbd {
  params: BgNbdParams;
  /** Day number of the midnight after the newest purchase: the scoring job's default cutoff. */
  endDay: number;
  penalizer: number;
}

interface Snapshot {
  version: string;
  overview: Promise<Overview>;
  segments: Promise<SegmentsView>;
  bgNbd: Map<number, Promise<ShopBgNbd | undefined>>;
}

export class DashboardInsights {
  private snapshot: Snapshot | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly db: Db) {}

  async overview(): Promise<Overview> {
    return (await this.current()).overview;
  }

  async segments(): Promise<SegmentsView> {
    return (await this.current()).segments;
  }

  /** BG/NBD fitted (with the churn model's penalizer) on every customer's repeat summary; undefined with no purchases. */
  async bgNbd(penalizer: number): Promise<ShopBgNbd | undefined> {
    const s = await this.current();
    let fit = s.bgNbd.get(penalizer);
    if (!fit) s.bgNbd.set(penalizer, (fit = this.fitBgNbd(penalizer)));
    return fit;
  }

  private async current(): Promise<Snapshot> {
    const version = await this.dataVersion();
    if (!this.snapshot) {
      const first = this.compute(version);
      this.snapshot = first;
      // a failed first computation is not kept: the next request tries again
      Promise.all([first.overview, first.segments]).catch(() => {
        if (this.snapshot === first) this.snapshot = undefined;
      });
    } else if (this.snapshot.version !== version && !this.refreshing) {
      const next = this.compute(version);
      this.refreshing = Promise.all([next.overview, next.segments]).then(
        () => void (this.snapshot = next),
        () => undefined, // keep serving the previous figures; a later request tries again
      ).finally(() => (this.refreshing = undefined));
    }
    return this.snapshot;
  }

  /** Resolves when a background refresh in progress (if any) has finished. */
  async settled(): Promise<void> {
    await this.refreshing;
  }

  private compute(version: string): Snapshot {
    return { version, overview: this.computeOverview(), segments: this.computeSegments(), bgNbd: new Map() };
  }

  private async dataVersion(): Promise<string> {
    const [row] = await queryRows<{ p: string | number | null; s: string | Date | null; e: string | number }>(
      this.db,
      sql`select (select max(id) from purchases) as p, (select max(scored_at) from customer_scores) as s,
                 (select count(*) from customers where erased_at is not null) as e`,
    );
    return `${row!.p}|${row!.s === null ? '' : new Date(row!.s).getTime()}|${row!.e}`;
  }

  private async computeOverview(): Promise<Overview> {
    const totals = await shopTotals(this.db, LOOKBACK_DAYS);
    const monthly = totals.firstPurchaseAt && totals.lastPurchaseAt ? await this.monthly(totals.firstPurchaseAt, totals.lastPurchaseAt) : [];
    const [segments, riskTiers, cohorts] = [await segmentSummaries(this.db), await riskTierCounts(this.db), await cohortCounts(this.db)];
    return {
      totals,
      valueAtRisk: segments.reduce((s, x) => s + x.valueAtRisk, 0),
      scoredCustomers: segments.reduce((s, x) => s + x.customers, 0),
      riskTiers,
      monthly,
      cohorts: cohortTable(cohorts),
    };
  }

  /** Whole months whose lookback window starts inside the data and whose end is not past it. */
  private async monthly(first: Date, last: Date): Promise<MonthlyRetention[]> {
    const earliest = new Date(first.getTime() + LOOKBACK_DAYS * DAY_MS);
    const from = new Date(Date.UTC(earliest.getUTCFullYear(), earliest.getUTCMonth() + (earliest.getUTCDate() === 1 && earliest.getUTCHours() === 0 ? 0 : 1), 1));
    const dataEnd = new Date(Math.floor(last.getTime() / DAY_MS + 1) * DAY_MS);
    const to = new Date(Date.UTC(dataEnd.getUTCFullYear(), dataEnd.getUTCMonth(), 1));
    if (!(from < to)) return [];
    const counts = await monthlyRetentionCounts(this.db, from, to, LOOKBACK_DAYS);
    return counts.map((c) => {
      const rate = (x: number) => (c.start === 0 ? null : (x / c.start) * 100);
      return { ...c, retentionRate: rate(c.end - c.acquired), churnRate: rate(c.lost) };
    });
  }

  private async computeSegments(): Promise<SegmentsView> {
    const [summaries, spread] = [await segmentSummaries(this.db), await segmentChurnSpread(this.db)];
    const bySegment = new Map(spread.map((s) => [s.segment, s.quartiles]));
    return { segments: summaries.map((s) => ({ ...s, spread: bySegment.get(s.segment) ?? null })) };
  }

  private async fitBgNbd(penalizer: number): Promise<ShopBgNbd | undefined> {
    const groups = await repeatSummaryGroups(this.db);
    if (groups.length === 0) return undefined;
    const [row] = await queryRows<{ last: string | Date }>(this.db, sql`select max(occurred_at) as last from purchases where kind = 'purchase'`);
    const endDay = Math.floor(new Date(row!.last).getTime() / DAY_MS) + 1;
    const fit = fitBgNbd(
      {
        frequency: Float64Array.from(groups, (g) => g.frequency),
        recency: Float64Array.from(groups, (g) => g.recency),
        T: Float64Array.from(groups, (g) => endDay - g.firstDay),
        weight: Float64Array.from(groups, (g) => g.customers),
        unit: 'days',
      },
      { penalizer },
    );
    return { params: fit.params, endDay, penalizer };
  }
}

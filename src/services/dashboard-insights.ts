// Shop-level numbers the dashboard shows: totals, retention and churn rate per month, the cohort
// triangle, risk tiers, segment values and churn spread, and a BG/NBD fit of the whole shop for the
// customer pages' P(alive) history. Each is an aggregate over all purchases or all scores, so none
// is computed per page view: they live in dashboard_summaries (any replica, any restart reads them
// in one query) and follow the data — the purchase history by exact updates as purchases arrive
// (dashboard-history.ts), the score figures by a recount after each scoring run, the BG/NBD fit by
// a refit on the updated history. When the data move, a page gets the figures already counted at
// once while the update runs in the background (one at a time per summary), and says how old they
// are; only the very first count of a shop, with nothing stored, is waited for.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.ts';
import { segmentSummaries, type SegmentSummary } from '../db/queries/customer-scores.ts';
import { riskTierCounts, segmentChurnSpread, type SegmentSpread } from '../db/queries/score-distribution.ts';
import { lastPurchaseId, type MonthlyRetentionCounts, type ShopTotals } from '../db/queries/shop-history.ts';
import { cohortTable, type CohortTable } from '../ml/customers/cohorts.ts';
import { DAY_MS } from '../ml/customers/purchase-log.ts';
import { fitBgNbd, type BgNbdParams } from '../ml/lifetime/bg-nbd.ts';
import { LOOKBACK_DAYS, repeatGroups, ShopHistory, type HistoryCounts } from './dashboard-history.ts';
import { StoredSummary } from './dashboard-stored-summary.ts';

export { LOOKBACK_DAYS };

export interface MonthlyRetention extends MonthlyRetentionCounts {
  /** ((E − N) / S) × 100, the API's definition; null when S = 0. */
  retentionRate: number | null;
  /** lost / S × 100. */
  churnRate: number | null;
}

export interface Overview {
  totals: ShopTotals & { activeCustomers: number };
  valueAtRisk: number;
  scoredCustomers: number;
  riskTiers: Record<'high' | 'medium' | 'low', number>;
  monthly: MonthlyRetention[];
  cohorts: CohortTable;
  /** When the purchase figures were last brought up to date, and whether newer purchases are being counted. */
  countedAt: Date;
  updating: boolean;
}

export interface SegmentsView {
  segments: (SegmentSummary & { spread: SegmentSpread['quartiles'] | null })[];
}

export interface ShopBgNbd {
  params: BgNbdParams;
  /** Day number of the midnight after the newest purchase: the scoring job's default cutoff. */
  endDay: number;
  penalizer: number;
  /** The history it was fitted on: erased customers then, and when. */
  erased: number;
  fittedAt: number;
}

interface ScoreFigures {
  segments: SegmentsView;
  riskTiers: Overview['riskTiers'];
}

export interface InsightOptions {
  /** A full recount of the purchase history at least this often (default 1 hour); see dashboard-history.ts. */
  recountEveryMs: number;
  /** An updated history is stored at most this often (default 1 minute); a reader catches up from the stored one. */
  storeEveryMs: number;
  /** The shop's BG/NBD is refitted on newer purchases at most this often (default 10 minutes; erasures refit at once). */
  refitEveryMs: number;
  /** How often a new scoring run is looked for (default 2 s, the replica poll's interval). */
  scoresCheckMs: number;
}

const defaults: InsightOptions = { recountEveryMs: 3_600_000, storeEveryMs: 60_000, refitEveryMs: 600_000, scoresCheckMs: 2_000 };

export class DashboardInsights {
  private readonly history: StoredSummary<HistoryCounts>;
  private readonly scores: StoredSummary<ScoreFigures>;
  private readonly fits = new Map<number, StoredSummary<ShopBgNbd | null>>();
  private readonly counter: ShopHistory;
  private readonly o: InsightOptions;
  private scored: { at: number; checkedAt: number } | undefined;
  /** The figures of one history, built once: the same objects until the history changes (so their charts are drawn once). */
  private readonly derived = new WeakMap<HistoryCounts, Pick<Overview, 'monthly' | 'cohorts'>>();

  /** `erasedCustomers`: how many customers are erased, as the replica poll knows it (an erasure deletes purchases). */
  constructor(
    private readonly db: Db,
    private readonly erasedCustomers: () => number,
    options: Partial<InsightOptions> = {},
  ) {
    this.o = { ...defaults, ...options } satisfies InsightOptions;
    this.counter = new ShopHistory(db);
    this.history = new StoredSummary(db, 'shop-history', this.o.storeEveryMs, (previous, version) => this.countHistory(previous, version));
    this.scores = new StoredSummary(db, 'score-figures', 0, () => this.countScores());
  }

  async overview(): Promise<Overview> {
    // the versions and the stored rows are read at once
    const v = this.versions();
    const [h, s] = await Promise.all([this.history.get(v.then((x) => x.history)), this.scores.get(v.then((x) => x.scores))]);
    const t = h.totals;
    let d = this.derived.get(h);
    if (!d) this.derived.set(h, (d = derive(h)));
    return {
      totals: { customers: t.customers, revenue: t.revenue, firstPurchaseAt: date(t.firstAt), lastPurchaseAt: date(t.lastAt), activeCustomers: h.activeCustomers },
      valueAtRisk: s.segments.segments.reduce((sum, x) => sum + x.valueAtRisk, 0),
      scoredCustomers: s.segments.segments.reduce((sum, x) => sum + x.customers, 0),
      riskTiers: s.riskTiers,
      ...d,
      countedAt: new Date(h.countedAt),
      updating: this.history.updating,
    };
  }

  async segments(): Promise<SegmentsView> {
    return (await this.scores.get(this.versions().then((x) => x.scores))).segments;
  }

  /**
   * BG/NBD fitted (with the churn model's penalizer) on every customer's repeat summary; undefined
   * with no purchases. Refitted on the updated history at most every `refitEveryMs`: a fit holds
   * the event loop for a while, and a few more purchases barely move four parameters.
   */
  async bgNbd(penalizer: number): Promise<ShopBgNbd | undefined> {
    const history = await this.history.get(this.versions().then((x) => x.history));
    let fit = this.fits.get(penalizer);
    if (!fit) {
      const build = async () => fitShop(this.history.latest ?? history, penalizer);
      this.fits.set(penalizer, (fit = new StoredSummary(this.db, `bg-nbd:${penalizer}`, 0, build)));
    }
    const current = fit.latest;
    const due = !current || history.erased !== current.erased || Date.now() - current.fittedAt >= this.o.refitEveryMs;
    return (await fit.get(due ? `${history.coveredId}|${history.erased}` : fit.version!)) ?? undefined;
  }

  /** Resolves when every background update in progress (if any) has finished. */
  async settled(): Promise<void> {
    await Promise.all([this.history.settled(), this.scores.settled(), ...[...this.fits.values()].map((f) => f.settled())]);
  }

  private async versions(): Promise<{ history: string; scores: string }> {
    const erased = this.erasedCustomers();
    const [purchaseId, scoredAt] = await Promise.all([lastPurchaseId(this.db), this.scoredAt()]);
    return { history: `${purchaseId}|${erased}`, scores: `${scoredAt}|${erased}` };
  }

  /**
   * The newest scoring run, read at most every `scoresCheckMs`: max(scored_at) has no index and
   * scans every score row (50 ms at 100,000), while the newest purchase id is one index probe.
   */
  private async scoredAt(): Promise<number> {
    if (!this.scored || Date.now() - this.scored.checkedAt >= this.o.scoresCheckMs) {
      const [row] = await queryRows<{ s: string | Date | null }>(this.db, sql`select max(scored_at) as s from customer_scores`);
      this.scored = { at: row!.s === null ? 0 : new Date(row!.s).getTime(), checkedAt: Date.now() };
    }
    return this.scored.at;
  }

  private async countHistory(previous: HistoryCounts | undefined, version: string): Promise<HistoryCounts> {
    const [maxId, erased] = version.split('|').map(Number) as [number, number];
    const fresh = previous && Date.now() - previous.recountedAt < this.o.recountEveryMs ? await this.counter.update(previous, maxId, erased) : undefined;
    return fresh ?? this.counter.recount(maxId, erased);
  }

  private async countScores(): Promise<ScoreFigures> {
    const [summaries, spread, riskTiers] = [await segmentSummaries(this.db), await segmentChurnSpread(this.db), await riskTierCounts(this.db)];
    const bySegment = new Map(spread.map((s) => [s.segment, s.quartiles]));
    return { segments: { segments: summaries.map((s) => ({ ...s, spread: bySegment.get(s.segment) ?? null })) }, riskTiers };
  }
}

function derive(h: HistoryCounts): Pick<Overview, 'monthly' | 'cohorts'> {
  return {
    monthly: h.monthly.map((m) => {
      const rate = (x: number) => (m.start === 0 ? null : (x / m.start) * 100);
      return { from: new Date(m.from), to: new Date(m.to), start: m.start, end: m.end, acquired: m.acquired, lost: m.lost, retentionRate: rate(m.end - m.acquired), churnRate: rate(m.lost) };
    }),
    cohorts: cohortTable(h.cohorts.map(([cohortMonth, activeMonth, customers]) => ({ cohortMonth, activeMonth, customers }))),
  };
}

function fitShop(h: HistoryCounts, penalizer: number): ShopBgNbd | null {
  const groups = repeatGroups(h);
  if (groups.length === 0 || h.totals.lastAt === null) return null;
  const endDay = Math.floor(h.totals.lastAt / DAY_MS) + 1;
  const fit = fitBgNbd(
    {
      frequency: Float64Array.from(groups, (g) => g[0]),
      recency: Float64Array.from(groups, (g) => g[1]),
      T: Float64Array.from(groups, (g) => endDay - g[2]),
      weight: Float64Array.from(groups, (g) => g[3]),
      unit: 'days',
    },
    { penalizer },
  );
  return { params: fit.params, endDay, penalizer, erased: h.erased, fittedAt: Date.now() };
}

function date(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}

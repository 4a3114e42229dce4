// The shop's purchase history as the overview and the P(alive) charts need it — totals, the
// retention counts of every month, the cohort triangle, the repeat summary BG/NBD is fitted on —
// counted once over every purchase and then kept current: each of them is a sum over customers,
// so when purchases arrive only the customers who bought are recounted, before (up to the last
// counted purchase id) and after, and the difference is added (shop-history.ts). That costs a few
// indexed reads per customer instead of a pass over the whole history. A full recount happens
// when it cannot be exact: after an erasure (the erased purchases are gone), when the month grid
// moves (a new month, or history added before the first month), or when many customers bought at
// once. Counts are keyed by purchase id, so a purchase committed later than a row with a higher
// id (two writers at the same moment) is missed by updates: the periodic full recount
// (`recountEveryMs`) bounds how long such a difference can last.
import type { Db } from '../db/client.ts';
import {
  cohortCounts,
  customersActiveSince,
  customersBuyingAfter,
  monthlyRetentionCounts,
  repeatSummaryGroups,
  shopTotals,
  type MonthlyRetentionCounts,
  type PurchaseScope,
  type RepeatSummaryGroup,
  type ShopTotals,
} from '../db/queries/shop-history.ts';
import type { CohortCount } from '../ml/customers/cohorts.ts';
import { DAY_MS } from '../ml/customers/purchase-log.ts';

/** "Active" on the dashboard, as in GET /v1/metrics/retention: an order within this many days. */
export const LOOKBACK_DAYS = 90;

/** More customers than this in one update: a full recount is cheaper than two scoped passes. */
const MAX_UPDATE_CUSTOMERS = 5_000;

/** Everything counted, in JSON-safe form (it is stored in dashboard_summaries). Times in ms. */
export interface HistoryCounts {
  /** The newest purchase id counted. */
  coveredId: number;
  /** Erased customers when counted: a change means purchases were deleted. */
  erased: number;
  countedAt: number;
  /** When the last full recount ran. */
  recountedAt: number;
  totals: { customers: number; revenue: number; firstAt: number | null; lastAt: number | null };
  activeCustomers: number;
  /** The month grid of `monthly`: [first month start, last month end), or null when too short. */
  grid: { from: number; to: number } | null;
  monthly: { from: number; to: number; start: number; end: number; acquired: number; lost: number }[];
  /** [cohort month, active month, customers]. */
  cohorts: [number, number, number][];
  /**
   * The repeat-summary groups, [frequency, recency, first day, customers] each, as the base64 of
   * an Int32Array (repeatGroups reads it): tens of thousands of groups at 100,000 customers, which
   * as a JSON array of arrays took 60 ms for the database to write out on every first read, and
   * only updates and the BG/NBD fit need them.
   */
  repeat: string;
}

interface Counts {
  monthly: MonthlyRetentionCounts[];
  cohorts: CohortCount[];
  repeat: RepeatSummaryGroup[];
}

export class ShopHistory {
  constructor(private readonly db: Db) {}

  /** Counts every purchase up to `maxId`. */
  async recount(maxId: number, erased: number): Promise<HistoryCounts> {
    const scope = { maxId };
    const totals = await shopTotals(this.db, scope);
    const grid = monthGrid(totals.firstPurchaseAt, totals.lastPurchaseAt);
    const c = await this.count(scope, grid);
    const now = Date.now();
    return {
      coveredId: maxId,
      erased,
      countedAt: now,
      recountedAt: now,
      totals: totalsJson(totals),
      activeCustomers: await this.active(totals.lastPurchaseAt),
      grid: grid && { from: grid.from.getTime(), to: grid.to.getTime() },
      monthly: c.monthly.map(monthJson),
      cohorts: c.cohorts.map((x) => [x.cohortMonth, x.activeMonth, x.customers]),
      repeat: packGroups(c.repeat.map((g) => [g.frequency, g.recency, g.firstDay, g.customers])),
    };
  }

  /**
   * `previous` brought up to `maxId`: the customers who bought since are counted before and
   * after, and the difference added. Undefined when only a full recount can be exact.
   */
  async update(previous: HistoryCounts, maxId: number, erased: number): Promise<HistoryCounts | undefined> {
    if (erased !== previous.erased || maxId < previous.coveredId) return undefined;
    if (maxId === previous.coveredId) return previous;
    const customerIds = await customersBuyingAfter(this.db, previous.coveredId, maxId);
    if (customerIds.length > MAX_UPDATE_CUSTOMERS) return undefined;
    const before = await shopTotals(this.db, { maxId: previous.coveredId, customerIds });
    const after = await shopTotals(this.db, { maxId, customerIds });
    const p = previous.totals;
    const firstAt = minTime(p.firstAt, after.firstPurchaseAt);
    const lastAt = maxTime(p.lastAt, after.lastPurchaseAt);
    const grid = monthGrid(firstAt === null ? null : new Date(firstAt), lastAt === null ? null : new Date(lastAt));
    if ((grid?.from.getTime() ?? null) !== (previous.grid?.from ?? null) || (grid?.to.getTime() ?? null) !== (previous.grid?.to ?? null)) return undefined;
    const [old, now] = [await this.count({ maxId: previous.coveredId, customerIds }, grid), await this.count({ maxId, customerIds }, grid)];
    return {
      ...previous,
      coveredId: maxId,
      countedAt: Date.now(),
      totals: { customers: p.customers + after.customers - before.customers, revenue: p.revenue + after.revenue - before.revenue, firstAt, lastAt },
      activeCustomers: await this.active(lastAt === null ? null : new Date(lastAt)),
      monthly: previous.monthly.map((m, k) => {
        const [o, n] = [old.monthly[k]!, now.monthly[k]!];
        return { ...m, start: m.start + n.start - o.start, end: m.end + n.end - o.end, acquired: m.acquired + n.acquired - o.acquired, lost: m.lost + n.lost - o.lost };
      }),
      cohorts: addCounts(
        previous.cohorts,
        old.cohorts.map((x) => [x.cohortMonth, x.activeMonth, x.customers]),
        now.cohorts.map((x) => [x.cohortMonth, x.activeMonth, x.customers]),
      ),
      repeat: packGroups(
        addCounts(
          repeatGroups(previous),
          old.repeat.map((g) => [g.frequency, g.recency, g.firstDay, g.customers]),
          now.repeat.map((g) => [g.frequency, g.recency, g.firstDay, g.customers]),
        ),
      ),
    };
  }

  /** The three scans at once: on PostgreSQL they run on separate connections (PGlite queues them). */
  private async count(scope: PurchaseScope, grid: { from: Date; to: Date } | null): Promise<Counts> {
    const [monthly, cohorts, repeat] = await Promise.all([
      grid ? monthlyRetentionCounts(this.db, grid.from, grid.to, LOOKBACK_DAYS, scope) : Promise.resolve([]),
      cohortCounts(this.db, scope),
      repeatSummaryGroups(this.db, scope),
    ]);
    return { monthly, cohorts, repeat };
  }

  private active(lastAt: Date | null): Promise<number> {
    return lastAt ? customersActiveSince(this.db, new Date(lastAt.getTime() - LOOKBACK_DAYS * DAY_MS)) : Promise.resolve(0);
  }
}

/** The repeat-summary groups of `h`: [frequency, recency, first day, customers] each. */
export function repeatGroups(h: HistoryCounts): [number, number, number, number][] {
  const bytes = Buffer.from(h.repeat, 'base64');
  const v = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return Array.from({ length: v.length / 4 }, (_, k) => [v[4 * k]!, v[4 * k + 1]!, v[4 * k + 2]!, v[4 * k + 3]!]);
}

function packGroups(rows: number[][]): string {
  return Buffer.from(Int32Array.from(rows.flat()).buffer).toString('base64');
}

/** Whole months whose lookback window starts inside the data and whose end is not past it. */
function monthGrid(first: Date | null, last: Date | null): { from: Date; to: Date } | null {
  if (!first || !last) return null;
  const earliest = new Date(first.getTime() + LOOKBACK_DAYS * DAY_MS);
  const from = new Date(Date.UTC(earliest.getUTCFullYear(), earliest.getUTCMonth() + (earliest.getUTCDate() === 1 && earliest.getUTCHours() === 0 ? 0 : 1), 1));
  const dataEnd = new Date(Math.floor(last.getTime() / DAY_MS + 1) * DAY_MS);
  const to = new Date(Date.UTC(dataEnd.getUTCFullYear(), dataEnd.getUTCMonth(), 1));
  return from < to ? { from, to } : null;
}

/** previous − old + now, keyed by every field but the last (the count); zero counts dropped. */
function addCounts<T extends number[]>(previous: T[], old: number[][], now: number[][]): T[] {
  const key = (row: number[]) => row.slice(0, -1).join('|');
  const sums = new Map<string, number[]>(previous.map((r) => [key(r), [...r]]));
  const add = (rows: number[][], sign: number) => {
    for (const r of rows) {
      const k = key(r);
      const row = sums.get(k) ?? [...r.slice(0, -1), 0];
      row[row.length - 1] = row[row.length - 1]! + sign * r[r.length - 1]!;
      sums.set(k, row);
    }
  };
  add(old, -1);
  add(now, 1);
  return [...sums.values()].filter((r) => r[r.length - 1] !== 0) as T[];
}

function totalsJson(t: ShopTotals): HistoryCounts['totals'] {
  return { customers: t.customers, revenue: t.revenue, firstAt: t.firstPurchaseAt?.getTime() ?? null, lastAt: t.lastPurchaseAt?.getTime() ?? null };
}

function monthJson(m: MonthlyRetentionCounts): HistoryCounts['monthly'][number] {
  return { from: m.from.getTime(), to: m.to.getTime(), start: m.start, end: m.end, acquired: m.acquired, lost: m.lost };
}

function minTime(a: number | null, b: Date | null): number | null {
  return b === null ? a : a === null ? b.getTime() : Math.min(a, b.getTime());
}

function maxTime(a: number | null, b: Date | null): number | null {
  return b === null ? a : a === null ? b.getTime() : Math.max(a, b.getTime());
}

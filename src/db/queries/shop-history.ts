// Shop-level history for the dashboard, each one aggregate over the purchases: totals, customers
// active at each month start (the retention counts of every month in one pass), first-order
// cohorts by month, and the repeat-purchase summary BG/NBD is fitted on. Months are UTC calendar
// months; a month is numbered year × 12 + (month − 1) as src/ml/customers/cohorts.ts expects.
// Every aggregate but the active count is a sum over customers of what each one's purchases add,
// so each takes a PurchaseScope: counted over the purchases up to an id, or over some customers
// only, the old and new counts of the customers who bought since give an exact update.
import { sql, type SQL } from 'drizzle-orm';
import type { CohortCount } from '../../ml/customers/cohorts.ts';
import { queryRows, type Db } from '../client.ts';
import type { RetentionCounts } from './purchases.ts';

type Num = string | number;

/** The purchases an aggregate reads: those up to `maxId` (default all), of `customerIds` only (default everyone). */
export interface PurchaseScope {
  maxId?: number | undefined;
  customerIds?: readonly number[] | undefined;
}

function inScope(scope: PurchaseScope): SQL {
  const parts: SQL[] = [sql`kind = 'purchase'`];
  if (scope.maxId !== undefined) parts.push(sql`id <= ${scope.maxId}`);
  if (scope.customerIds) parts.push(scope.customerIds.length === 0 ? sql`false` : sql`customer_id in (${sql.join(scope.customerIds.map((id) => sql`${id}`), sql`, `)})`);
  return sql.join(parts, sql` and `);
}

export interface ShopTotals {
  /** Customers with at least one purchase (erased customers have none left). */
  customers: number;
  /** Σ quantity × unit price over purchases (cancellations not subtracted). */
  revenue: number;
  firstPurchaseAt: Date | null;
  lastPurchaseAt: Date | null;
}

export async function shopTotals(db: Db, scope: PurchaseScope = {}): Promise<ShopTotals> {
  const [row] = await queryRows<{ customers: Num; revenue: Num | null; first_at: string | Date | null; last_at: string | Date | null }>(
    db,
    sql`select count(distinct customer_id) as customers, sum(quantity * unit_price) as revenue, min(occurred_at) as first_at, max(occurred_at) as last_at
        from purchases where ${inScope(scope)}`,
  );
  const date = (v: string | Date | null | undefined) => (v === null || v === undefined ? null : new Date(v));
  return { customers: Number(row!.customers), revenue: Number(row!.revenue ?? 0), firstPurchaseAt: date(row!.first_at), lastPurchaseAt: date(row!.last_at) };
}

/** Customers who ordered after `since` (on the time index: a recent window reads only its rows). */
export async function customersActiveSince(db: Db, since: Date): Promise<number> {
  const [row] = await queryRows<{ n: Num }>(db, sql`select count(distinct customer_id) as n from purchases where occurred_at > ${since.toISOString()} and kind = 'purchase'`);
  return Number(row!.n);
}

/** The newest purchase row id (0 with none): what an aggregate counted up to. */
export async function lastPurchaseId(db: Db): Promise<number> {
  const [row] = await queryRows<{ id: Num | null }>(db, sql`select max(id) as id from purchases`);
  return Number(row!.id ?? 0);
}

/** Customers with purchase rows after `afterId`, up to `maxId`: those an update must recount. */
export async function customersBuyingAfter(db: Db, afterId: number, maxId: number): Promise<number[]> {
  const rows = await queryRows<{ customer_id: Num }>(db, sql`select distinct customer_id from purchases where id > ${afterId} and id <= ${maxId} and kind = 'purchase'`);
  return rows.map((r) => Number(r.customer_id));
}

export interface MonthlyRetentionCounts extends RetentionCounts {
  /** The period [from, to): one calendar month. */
  from: Date;
  to: Date;
}

/**
 * The counts of `retentionCounts` (purchases.ts) for every month from `fromMonth` (a UTC month
 * start) to the month before `toMonth`, in one scan: a customer is active at a month start t when
 * their last purchase before t is at most `lookbackDays` old, and within one calendar month the
 * latest purchase decides that, so customer-months with their latest purchase suffice.
 */
export async function monthlyRetentionCounts(db: Db, fromMonth: Date, toMonth: Date, lookbackDays: number, scope: PurchaseScope = {}): Promise<MonthlyRetentionCounts[]> {
  const naive = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
  const rows = await queryRows<{ k: Num; t: string | Date; active: Num; kept: Num; acquired: Num }>(
    db,
    sql`with bounds as (
          select k::int as k, (b at time zone 'UTC') as t
          from generate_series(${naive(fromMonth)}::timestamp, ${naive(toMonth)}::timestamp, interval '1 month') with ordinality as g(b, k)),
        cm as (
          select customer_id, max(occurred_at) as last_at
          from purchases where ${inScope(scope)} and occurred_at < (select max(t) from bounds)
          group by customer_id, date_trunc('month', occurred_at at time zone 'UTC')),
        firsts as (select customer_id, min(occurred_at) as first_at from purchases where ${inScope(scope)} group by customer_id),
        active as (
          select distinct b.k, cm.customer_id
          from bounds b join cm on cm.last_at >= b.t - make_interval(days => ${lookbackDays}) and cm.last_at < b.t),
        flags as (
          select a.k, (n.customer_id is not null) as kept, (f.first_at >= prev.t) as acquired
          from active a
          left join active n on n.customer_id = a.customer_id and n.k = a.k + 1
          join firsts f on f.customer_id = a.customer_id
          left join bounds prev on prev.k = a.k - 1),
        counts as (
          select k, count(*) as active, count(*) filter (where kept) as kept, count(*) filter (where acquired) as acquired from flags group by k)
        select b.k, b.t, coalesce(c.active, 0) as active, coalesce(c.kept, 0) as kept, coalesce(c.acquired, 0) as acquired
        from bounds b left join counts c on c.k = b.k order by b.k`,
  );
  const out: MonthlyRetentionCounts[] = [];
  for (let i = 0; i + 1 < rows.length; i++) {
    const here = rows[i]!;
    const next = rows[i + 1]!;
    const start = Number(here.active);
    out.push({ from: new Date(here.t), to: new Date(next.t), start, end: Number(next.active), acquired: Number(next.acquired), lost: start - Number(here.kept) });
  }
  return out;
}

/** Distinct customers per (month of their first purchase, month of a purchase). */
export async function cohortCounts(db: Db, scope: PurchaseScope = {}): Promise<CohortCount[]> {
  const rows = await queryRows<{ cohort: Num; month: Num; customers: Num }>(
    db,
    sql`with cm as (
          select customer_id,
                 (extract(year from occurred_at at time zone 'UTC') * 12 + extract(month from occurred_at at time zone 'UTC') - 1)::int as month
          from purchases where ${inScope(scope)} group by 1, 2),
        f as (select customer_id, min(month) as cohort from cm group by 1)
        select f.cohort, cm.month, count(*) as customers from cm join f on f.customer_id = cm.customer_id group by 1, 2 order by 1, 2`,
  );
  return rows.map((r) => ({ cohortMonth: Number(r.cohort), activeMonth: Number(r.month), customers: Number(r.customers) }));
}

export interface RepeatSummaryGroup {
  /** x: distinct purchase days − 1. */
  frequency: number;
  /** t_x in days: last purchase day − first purchase day. */
  recency: number;
  /** UTC day number (days since the epoch) of the first purchase; T = cutoff day − this. */
  firstDay: number;
  /** Customers sharing the three values. */
  customers: number;
}

/**
 * The repeat summary of summarizeCustomers (orders dated by their first line, grouped by UTC day),
 * computed in the database and grouped by identical rows, so fitting BG/NBD needs no purchase log.
 */
export async function repeatSummaryGroups(db: Db, scope: PurchaseScope = {}): Promise<RepeatSummaryGroup[]> {
  const rows = await queryRows<{ x: Num; tx: Num; first_day: Num; customers: Num }>(
    db,
    sql`with o as (select customer_id, min(occurred_at) as t from purchases where ${inScope(scope)} group by customer_id, order_id),
             d as (select customer_id, floor(extract(epoch from t) / 86400)::int as day from o group by 1, 2),
             c as (select count(*) - 1 as x, max(day) - min(day) as tx, min(day) as first_day from d group by customer_id)
        select x, tx, first_day, count(*) as customers from c group by 1, 2, 3`,
  );
  return rows.map((r) => ({ frequency: Number(r.x), recency: Number(r.tx), firstDay: Number(r.first_day), customers: Number(r.customers) }));
}

// Purchase reads for the service: fresh purchases (fold-in), popularity, retention counts.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.ts';

export interface FreshPurchase {
  id: number;
  customerId: string;
  itemId: string;
  occurredAt: Date;
}

/**
 * Purchases (not cancellations) with row id > `afterId` and time >= `since`: what happened after the
 * model's training window, and then what arrived since the last poll.
 */
export async function purchasesAfter(db: Db, afterId: number, since: Date, limit = 50_000): Promise<FreshPurchase[]> {
  const rows = await queryRows<{ id: string | number; customer_id: string; item_id: string; occurred_at: string | Date }>(
    db,
    sql`select p.id, c.external_id as customer_id, i.external_id as item_id, p.occurred_at
        from purchases p join customers c on c.id = p.customer_id join items i on i.id = p.item_id
        where p.id > ${afterId} and p.occurred_at >= ${since.toISOString()} and p.kind = 'purchase'
        order by p.id limit ${limit}`,
  );
  return rows.map((r) => ({ id: Number(r.id), customerId: r.customer_id, itemId: r.item_id, occurredAt: new Date(r.occurred_at) }));
}

export interface PopularRow {
  itemId: string;
  buyers: number;
}

/**
 * Items by distinct buyers over the `windowDays` before the newest purchase (the window ends at the
 * data's end, not the wall clock, so a historical data set still answers), only recommendable,
 * active, in-stock items.
 */
export async function popularItems(db: Db, windowDays: number | undefined, category: string | undefined, limit: number): Promise<PopularRow[]> {
  const windowSql = windowDays === undefined ? sql`true` : sql`p.occurred_at >= (select max(occurred_at) from purchases) - make_interval(days => ${windowDays})`;
  const categorySql = category === undefined ? sql`true` : sql`i.category = ${category}`;
  const rows = await queryRows<{ item_id: string; buyers: string | number }>(
    db,
    sql`select i.external_id as item_id, count(distinct p.customer_id) as buyers
        from purchases p join items i on i.id = p.item_id
        where p.kind = 'purchase' and i.active and i.in_stock and i.recommendable and ${windowSql} and ${categorySql}
        group by i.external_id order by buyers desc, i.external_id limit ${limit}`,
  );
  return rows.map((r) => ({ itemId: r.item_id, buyers: Number(r.buyers) }));
}

export interface RetentionCounts {
  /** Customers active at `from`: ordered within the lookback before it. */
  start: number;
  /** Customers active at `to`. */
  end: number;
  /** Customers whose first order ever falls in [from, to) and who are still customers at `to` (part of E). */
  acquired: number;
  /** Customers active at `from` but not at `to`. */
  lost: number;
}

export async function retentionCounts(db: Db, from: Date, to: Date, lookbackDays: number): Promise<RetentionCounts> {
  const lookbackMs = lookbackDays * 86_400_000;
  const startFrom = new Date(from.getTime() - lookbackMs).toISOString();
  const endFrom = new Date(to.getTime() - lookbackMs).toISOString();
  const [row] = await queryRows<Record<'start' | 'end' | 'acquired' | 'lost', string | number>>(
    db,
    sql`with firsts as (
          select customer_id,
                 min(occurred_at) as first_at,
                 bool_or(occurred_at >= ${startFrom} and occurred_at < ${from.toISOString()}) as at_start,
                 bool_or(occurred_at >= ${endFrom} and occurred_at < ${to.toISOString()}) as at_end
          from purchases where kind = 'purchase' and occurred_at < ${to.toISOString()} group by customer_id)
        select count(*) filter (where at_start) as start,
               count(*) filter (where at_end) as "end",
               count(*) filter (where first_at >= ${from.toISOString()} and at_end) as acquired,
               count(*) filter (where at_start and not at_end) as lost
        from firsts`,
  );
  return { start: Number(row!.start), end: Number(row!.end), acquired: Number(row!.acquired), lost: Number(row!.lost) };
}

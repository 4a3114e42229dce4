// What a campaign's members bought in the window after it started, per arm: purchasers, orders,
// revenue and the moments of revenue per member (members who bought nothing count as 0), and
// the orders attributed to the campaign (carrying the member's token, or containing an item
// chosen for them). Erased customers' memberships are deleted, so they are simply not counted.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.ts';

export interface ArmTotals {
  arm: string;
  members: number;
  purchasers: number;
  orders: number;
  revenue: number;
  /** Mean and sample variance of revenue per member. */
  revenueMean: number;
  revenueVariance: number;
  attributedOrders: number;
}

export async function armTotals(db: Db, campaignId: number, from: Date, to: Date): Promise<ArmTotals[]> {
  const rows = await queryRows<Record<string, string | number | null>>(
    db,
    sql`with m as (
          select customer_id, arm, token, items from campaign_members where campaign_id = ${campaignId}
        ), orders as (
          select p.customer_id, p.order_id, sum(p.quantity * p.unit_price) as revenue, bool_or(i.external_id = any(m.items)) as shown
          from purchases p
          join m on m.customer_id = p.customer_id
          join items i on i.id = p.item_id
          where p.kind = 'purchase' and p.occurred_at >= ${from.toISOString()} and p.occurred_at < ${to.toISOString()}
          group by p.customer_id, p.order_id
        ), tokened as (
          select distinct e.customer_id, e.order_id
          from events e join m on m.customer_id = e.customer_id and e.campaign_token = m.token
          where e.type = 'purchase' and e.order_id is not null
        ), per_member as (
          select m.arm, count(o.order_id) as orders, coalesce(sum(o.revenue), 0) as revenue,
                 count(o.order_id) filter (where o.shown or t.order_id is not null) as attributed
          from m
          left join orders o on o.customer_id = m.customer_id
          left join tokened t on t.customer_id = o.customer_id and t.order_id = o.order_id
          group by m.customer_id, m.arm
        )
        select arm, count(*) as members, count(*) filter (where orders > 0) as purchasers, sum(orders) as orders,
               sum(revenue) as revenue, avg(revenue) as revenue_mean, coalesce(var_samp(revenue), 0) as revenue_variance,
               sum(attributed) as attributed
        from per_member group by arm`,
  );
  return rows.map((r) => ({
    arm: String(r.arm),
    members: Number(r.members),
    purchasers: Number(r.purchasers),
    orders: Number(r.orders),
    revenue: Number(r.revenue),
    revenueMean: Number(r.revenue_mean),
    revenueVariance: Number(r.revenue_variance),
    attributedOrders: Number(r.attributed),
  }));
}

// One customer's purchase history for the dashboard: their orders (dated by the first line, as
// the models date them) and the items they bought, newest first.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.ts';

export interface CustomerOrder {
  orderId: string;
  at: Date;
  lines: number;
  units: number;
  value: number;
}

export interface BoughtItem {
  itemId: string;
  title: string | null;
  units: number;
  lastAt: Date;
}

export async function customerOrders(db: Db, externalId: string): Promise<CustomerOrder[]> {
  const rows = await queryRows<{ order_id: string; at: string | Date; lines: string | number; units: string | number; value: string | number }>(
    db,
    sql`select p.order_id, min(p.occurred_at) as at, count(*) as lines, sum(p.quantity) as units, sum(p.quantity * p.unit_price) as value
        from purchases p join customers c on c.id = p.customer_id
        where c.external_id = ${externalId} and c.erased_at is null and p.kind = 'purchase'
        group by p.order_id order by at, p.order_id`,
  );
  return rows.map((r) => ({ orderId: r.order_id, at: new Date(r.at), lines: Number(r.lines), units: Number(r.units), value: Number(r.value) }));
}

export async function customerItems(db: Db, externalId: string, limit: number): Promise<BoughtItem[]> {
  const rows = await queryRows<{ item_id: string; title: string | null; units: string | number; last_at: string | Date }>(
    db,
    sql`select i.external_id as item_id, i.title, sum(p.quantity) as units, max(p.occurred_at) as last_at
        from purchases p join customers c on c.id = p.customer_id join items i on i.id = p.item_id
        where c.external_id = ${externalId} and c.erased_at is null and p.kind = 'purchase'
        group by i.external_id, i.title order by last_at desc, i.external_id limit ${limit}`,
  );
  return rows.map((r) => ({ itemId: r.item_id, title: r.title, units: Number(r.units), lastAt: new Date(r.last_at) }));
}

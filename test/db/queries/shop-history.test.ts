import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { customerItems, customerOrders } from '../../../src/db/queries/customer-history.ts';
import { upsertItems } from '../../../src/db/queries/items.ts';
import { loadPurchaseLog } from '../../../src/db/queries/purchase-log.ts';
import { retentionCounts } from '../../../src/db/queries/purchases.ts';
import { cohortCounts, customersActiveSince, monthlyRetentionCounts, repeatSummaryGroups, shopTotals } from '../../../src/db/queries/shop-history.ts';
import { customers, purchases } from '../../../src/db/schema/index.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { summarizeCustomers } from '../../../src/ml/customers/summary.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';

const START = Date.UTC(2010, 11, 1);

/** 80 customers with random orders over 13 months, some lines at month edges and two lines per order. */
async function seed(database: Database): Promise<void> {
  const db = database.db;
  await upsertItems(db, [{ externalId: 'a', title: 'Item A' }, { externalId: 'b', title: 'Item B' }]);
  const itemRows = await db.query.items.findMany();
  const item = new Map(itemRows.map((r) => [r.externalId, r.id]));
  const rng = createRng(11);
  const rows: (typeof purchases.$inferInsert)[] = [];
  let order = 0;
  for (let c = 0; c < 80; c++) {
    const [row] = await db.insert(customers).values({ externalId: `c${c}` }).returning({ id: customers.id });
    let t = START + rng.int(300) * DAY_MS + rng.int(86_400) * 1000;
    const orders = 1 + rng.int(6);
    for (let k = 0; k < orders && t < START + 395 * DAY_MS; k++) {
      const id = `o${order++}`;
      rows.push({ customerId: row!.id, itemId: item.get('a')!, orderId: id, lineNo: 1, quantity: 2, unitPrice: 3, occurredAt: new Date(t) });
      rows.push({ customerId: row!.id, itemId: item.get('b')!, orderId: id, lineNo: 2, quantity: 1, unitPrice: 5, occurredAt: new Date(t + 60_000) });
      t += (1 + rng.int(120)) * DAY_MS;
    }
  }
  // exactly on a month boundary, and one millisecond before one
  rows.push({ customerId: 1, itemId: item.get('a')!, orderId: 'edge1', lineNo: 1, quantity: 1, unitPrice: 1, occurredAt: new Date(Date.UTC(2011, 5, 1)) });
  rows.push({ customerId: 2, itemId: item.get('a')!, orderId: 'edge2', lineNo: 1, quantity: 1, unitPrice: 1, occurredAt: new Date(Date.UTC(2011, 6, 1) - 1) });
  rows.push({ customerId: 3, itemId: item.get('a')!, orderId: 'cancel', lineNo: 1, kind: 'cancellation', quantity: -1, unitPrice: 1, occurredAt: new Date(Date.UTC(2011, 6, 2)) });
  await db.insert(purchases).values(rows);
}

describe.each(testEngines())('shop history queries on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await seed(database);
  });
  afterAll(async () => database.close());

  it('monthly retention counts equal retentionCounts of each month', async () => {
    const months = await monthlyRetentionCounts(database.db, new Date(Date.UTC(2011, 1, 1)), new Date(Date.UTC(2011, 11, 1)), 90);
    expect(months).toHaveLength(10);
    expect(months[0]!.from.toISOString()).toBe('2011-02-01T00:00:00.000Z');
    expect(months[9]!.to.toISOString()).toBe('2011-12-01T00:00:00.000Z');
    for (const m of months) {
      const { from: _f, to: _t, ...counts } = m;
      expect(counts).toEqual(await retentionCounts(database.db, m.from, m.to, 90));
    }
    expect(months.some((m) => m.acquired > 0 && m.lost > 0)).toBe(true);
  });

  it('totals, cohorts and the repeat summary agree with the purchase log', async () => {
    const log = await loadPurchaseLog(database.db);
    const t = await shopTotals(database.db);
    expect(t.customers).toBe(new Set(log.customer).size);
    let revenue = 0;
    for (let i = 0; i < log.quantity.length; i++) revenue += log.quantity[i]! * log.unitPrice[i]!;
    expect(t.revenue).toBeCloseTo(revenue, 6);
    const last = Math.max(...log.time);
    const active = new Set<number>();
    for (let i = 0; i < log.time.length; i++) if (log.time[i]! > last - 90 * DAY_MS) active.add(log.customer[i]!);
    expect(await customersActiveSince(database.db, new Date(last - 90 * DAY_MS))).toBe(active.size);

    const cohorts = await cohortCounts(database.db);
    const firstMonth = (ms: number) => new Date(ms).getUTCFullYear() * 12 + new Date(ms).getUTCMonth();
    const cohortSizes = new Map<number, Set<number>>();
    const firsts = new Map<number, number>();
    for (let i = 0; i < log.time.length; i++) firsts.set(log.customer[i]!, Math.min(firsts.get(log.customer[i]!) ?? Infinity, log.time[i]!));
    for (const [c, t0] of firsts) cohortSizes.set(firstMonth(t0), (cohortSizes.get(firstMonth(t0)) ?? new Set()).add(c));
    for (const [month, members] of cohortSizes) {
      expect(cohorts.find((r) => r.cohortMonth === month && r.activeMonth === month)?.customers).toBe(members.size);
    }

    const cutoff = Math.floor(last / DAY_MS + 1) * DAY_MS;
    const s = summarizeCustomers(log, cutoff, 'days');
    const groups = await repeatSummaryGroups(database.db);
    expect(groups.reduce((n, g) => n + g.customers, 0)).toBe(s.frequency.length);
    for (let e = 0; e < s.frequency.length; e++) {
      const firstDay = Math.floor(s.firstPurchase[e]! / DAY_MS);
      const g = groups.find((x) => x.frequency === s.frequency[e] && x.recency === s.recency[e] && x.firstDay === firstDay);
      expect(g, `customer entry ${e}`).toBeDefined();
      expect(cutoff / DAY_MS - g!.firstDay).toBe(s.T[e]);
    }
  });

  it("a customer's orders and items, dated by the first line", async () => {
    const orders = await customerOrders(database.db, 'c5');
    expect(orders.length).toBeGreaterThan(0);
    expect(orders[0]).toMatchObject({ lines: 2, units: 3, value: 11 });
    for (let k = 1; k < orders.length; k++) expect(orders[k]!.at.getTime()).toBeGreaterThanOrEqual(orders[k - 1]!.at.getTime());
    const items = await customerItems(database.db, 'c5', 10);
    expect(items.map((i) => i.title).sort()).toEqual(['Item A', 'Item B']);
    expect(await customerOrders(database.db, 'nobody')).toEqual([]);
  });
});

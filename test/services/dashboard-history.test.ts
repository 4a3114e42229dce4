import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.ts';
import { readSummary } from '../../src/db/queries/dashboard.ts';
import { lastPurchaseId } from '../../src/db/queries/shop-history.ts';
import { customers, purchases } from '../../src/db/schema/index.ts';
import { importFile } from '../../src/jobs/import.ts';
import { repeatGroups, ShopHistory, type HistoryCounts } from '../../src/services/dashboard-history.ts';
import { DashboardInsights } from '../../src/services/dashboard-insights.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { writeOnlineRetailSlice } from '../jobs/online-retail-slice.ts';

/** The counts without their clocks, rows sorted: what must agree between an update and a recount. */
function comparable(h: HistoryCounts) {
  const { countedAt: _c, recountedAt: _r, totals, ...rest } = h;
  const sort = (rows: number[][]) => [...rows].sort((a, b) => a.join(',').localeCompare(b.join(',')));
  return { ...rest, totals: { ...totals, revenue: Math.round(totals.revenue * 100) }, cohorts: sort(rest.cohorts), repeat: sort(repeatGroups(h)) };
}

describe.each(testEngines())('shop history kept current by updates (%s, Online Retail Dec 2010 – May 2011)', (engine) => {
  let database: Database;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'retain-history-'));
    await writeOnlineRetailSlice(join(dir, 'slice.csv'), 200_000);
    database = await openTestDatabase(engine);
    await importFile(database, { kind: 'purchases', format: 'online-retail', file: join(dir, 'slice.csv') });
  }, 180_000);
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('updating the counts of the first purchases with the later ones gives the full recount, to the customer', async () => {
    const db = database.db;
    const history = new ShopHistory(db);
    const maxId = await lastPurchaseId(db);
    // the counts as of ten days before the end of the slice, as a server would have them
    const [mid] = await queryRows<{ id: string | number }>(db, sql`select max(id) as id from purchases where occurred_at < (select max(occurred_at) - interval '10 days' from purchases)`);
    const before = await history.recount(Number(mid!.id), 0);
    const full = await history.recount(maxId, 0);
    expect(full.monthly.length).toBeGreaterThan(0);
    expect(full.totals.customers).toBeGreaterThan(before.totals.customers);
    const updated = await history.update(before, maxId, 0);
    expect(updated).toBeDefined();
    expect(comparable(updated!)).toEqual(comparable(full));

    // a late import of old orders: a new customer's first order in January, an old customer's repeat order
    const [fresh] = await db.insert(customers).values({ externalId: 'late-arrival' }).returning({ id: customers.id });
    const [old] = await queryRows<{ customer_id: string | number; item_id: string | number }>(db, sql`select customer_id, item_id from purchases order by id limit 1`);
    await db.insert(purchases).values([
      { customerId: fresh!.id, itemId: Number(old!.item_id), orderId: 'late-1', lineNo: 1, quantity: 3, unitPrice: 2.5, occurredAt: new Date(Date.UTC(2011, 0, 15, 10)) },
      { customerId: fresh!.id, itemId: Number(old!.item_id), orderId: 'late-2', lineNo: 1, quantity: 1, unitPrice: 4, occurredAt: new Date(Date.UTC(2011, 3, 20, 10)) },
      { customerId: Number(old!.customer_id), itemId: Number(old!.item_id), orderId: 'late-3', lineNo: 1, quantity: 1, unitPrice: 7, occurredAt: new Date(Date.UTC(2011, 1, 2, 10)) },
    ]);
    const later = await lastPurchaseId(db);
    const again = await history.update(updated!, later, 0);
    expect(comparable(again!)).toEqual(comparable(await history.recount(later, 0)));
    expect(again!.totals.customers).toBe(full.totals.customers + 1);

    // an erasure deletes purchases: only a recount is exact
    expect(await history.update(again!, later, 1)).toBeUndefined();
  }, 120_000);

  it('stores the counts, so another process serves them without recounting, and follows new purchases', async () => {
    const db = database.db;
    const first = new DashboardInsights(db, () => 0, { storeEveryMs: 0 });
    const seen = await first.overview();
    const stored = await readSummary<HistoryCounts>(db, 'shop-history');
    expect(stored!.body.coveredId).toBe(await lastPurchaseId(db));

    const second = new DashboardInsights(db, () => 0, { storeEveryMs: 0 });
    const served = await second.overview();
    expect(served.countedAt).toEqual(seen.countedAt);
    expect(served.totals).toEqual(seen.totals);

    const [someone] = await queryRows<{ customer_id: string | number; item_id: string | number }>(db, sql`select customer_id, item_id from purchases order by id desc limit 1`);
    await db.insert(purchases).values({ customerId: Number(someone!.customer_id), itemId: Number(someone!.item_id), orderId: 'new-1', lineNo: 1, quantity: 2, unitPrice: 10, occurredAt: new Date(Date.UTC(2011, 4, 23)) });
    const stale = await second.overview();
    expect(stale.totals.revenue).toBe(seen.totals.revenue);
    await second.settled();
    const now = await second.overview();
    expect(now.totals.revenue).toBeCloseTo(seen.totals.revenue + 20, 6);
    expect(now.totals.lastPurchaseAt).toEqual(new Date(Date.UTC(2011, 4, 23)));
  }, 120_000);
});

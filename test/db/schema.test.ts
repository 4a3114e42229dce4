import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../src/db/client.ts';
import { customers, items, purchases } from '../../src/db/schema/index.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

describe.each(testEngines())('schema on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('creates every table of the schema', async () => {
    const rows = await queryRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      ['api_keys', 'campaign_members', 'campaigns', 'contacts', 'customer_scores', 'customers', 'dashboard_logouts', 'dashboard_summaries', 'events', 'import_runs', 'items', 'purchases', 'served_recommendations'].sort(),
    );
  });

  it('keeps identical lines of one order apart by line number and refuses a repeated (order, line)', async () => {
    const { db } = database;
    const [c] = await db.insert(customers).values({ externalId: 'c1' }).returning();
    const [i] = await db.insert(items).values({ externalId: 'i1', title: 'Mug' }).returning();
    const line = { customerId: c!.id, itemId: i!.id, orderId: 'o1', quantity: 2, unitPrice: 1.5, occurredAt: new Date('2011-01-02T03:04:05Z') };
    await db.insert(purchases).values([
      { ...line, lineNo: 1 },
      { ...line, lineNo: 2 },
    ]);
    await expect(db.insert(purchases).values({ ...line, lineNo: 1 })).rejects.toThrow();
    const stored = await db.select().from(purchases).where(eq(purchases.orderId, 'o1'));
    expect(stored.map((p) => p.lineNo).sort()).toEqual([1, 2]);
    expect(stored[0]!.kind).toBe('purchase');
    expect(stored[0]!.source).toBe('import');
    expect(stored[0]!.occurredAt.toISOString()).toBe('2011-01-02T03:04:05.000Z');
  });

});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { readSummary } from '../../src/db/queries/dashboard.ts';
import { lastPurchaseId, shopTotals } from '../../src/db/queries/shop-history.ts';
import { purchases } from '../../src/db/schema/index.ts';
import { countDashboard } from '../../src/jobs/count-dashboard.ts';
import { importFile } from '../../src/jobs/import.ts';
import type { HistoryCounts } from '../../src/services/dashboard-history.ts';
import { DashboardInsights } from '../../src/services/dashboard-insights.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { writeOnlineRetailSlice } from './online-retail-slice.ts';

describe.each(testEngines())('count-dashboard job (%s, Online Retail slice)', (engine) => {
  let database: Database;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'retain-count-'));
    await writeOnlineRetailSlice(join(dir, 'slice.csv'), 20_000);
    database = await openTestDatabase(engine);
    await importFile(database, { kind: 'purchases', format: 'online-retail', file: join(dir, 'slice.csv') });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the summaries after an import, so the dashboard serves them without counting, and catches up after more purchases', async () => {
    const db = database.db;
    const counted = await countDashboard(database);
    expect(counted.customers).toBe((await shopTotals(db)).customers);
    const stored = await readSummary<HistoryCounts>(db, 'shop-history');
    expect(stored!.body.coveredId).toBe(await lastPurchaseId(db));
    expect(await readSummary(db, 'score-figures')).toBeDefined();
    const served = await new DashboardInsights(db, () => 0).overview();
    expect(served.countedAt.getTime()).toBe(stored!.body.countedAt);

    const [first] = await db.select().from(purchases).orderBy(purchases.id).limit(1);
    await db.insert(purchases).values({ ...first!, id: undefined, orderId: 'later-1', occurredAt: new Date(Date.UTC(2010, 11, 9, 18)) });
    const again = await countDashboard(database);
    expect(again.customers).toBe(counted.customers);
    expect((await readSummary<HistoryCounts>(db, 'shop-history'))!.body.coveredId).toBe(await lastPurchaseId(db));
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Database } from '../../../src/db/client.ts';
import { replaceCustomerScores, type ScoreRow } from '../../../src/db/queries/customer-scores-replace.ts';
import { eraseCustomerRows } from '../../../src/db/queries/customers.ts';
import { customers, customerScores } from '../../../src/db/schema/index.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';

const score = (externalId: string): ScoreRow => ({
  externalId, churnProbability: 0.8, riskTier: 'high', pAlive: 0.5, expectedPurchases: 1, predictedClv: 100, valueAtRisk: 80,
  expectedNextOrderAt: null, avgDaysBetweenOrders: null, recencyDays: 30, frequency: 2, monetary: 50, rScore: 2, fScore: 3, mScore: 3,
  segment: 'at risk', reasons: [{ reason: 'recency', effect: 0.5, detail: 'last order 30 days ago' }],
});

// Concurrency needs two connections: real PostgreSQL only (PGlite has one).
describe.runIf(testEngines().includes('postgres'))('eraseCustomerRows during a re-scoring (postgres)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await database.db.insert(customers).values([{ externalId: 'c1' }, { externalId: 'c2' }]);
    await replaceCustomerScores(database, [[score('c1'), score('c2')]], 'v1');
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('leaves no score row of a customer erased while a re-scoring is under way', async () => {
    const scoresOf = async (externalId: string) =>
      database.db.select({ id: customerScores.customerId }).from(customerScores).innerJoin(customers, eq(customers.id, customerScores.customerId)).where(eq(customers.externalId, externalId));
    let erasure: Promise<unknown> | undefined;
    let committing = false;
    let erasedWhileRescoring: boolean | undefined;
    // a re-scoring as replaceCustomerScores does it: every row deleted, the non-erased customers'
    // rows inserted again, one transaction; the erasure arrives between the insert and the commit
    await database.withSession(async (session) => {
      await session.exec('BEGIN');
      await session.exec(`CREATE TEMP TABLE previous ON COMMIT DROP AS SELECT * FROM customer_scores;
        DELETE FROM customer_scores;
        INSERT INTO customer_scores SELECT p.* FROM previous p JOIN customers c ON c.id = p.customer_id AND c.erased_at IS NULL;`);
      erasure = eraseCustomerRows(database.db, 'c1').then(() => (erasedWhileRescoring = !committing));
      await new Promise((r) => setTimeout(r, 300));
      committing = true;
      await session.exec('COMMIT');
    });
    await erasure;
    expect(erasedWhileRescoring).toBe(false); // it waited for the re-scoring to commit
    expect(await scoresOf('c1')).toEqual([]);
    expect(await scoresOf('c2')).toHaveLength(1);
  });
});

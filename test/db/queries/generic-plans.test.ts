// The hot reads' prepared statements keep PostgreSQL's generic plan after its first five runs
// instead of being planned afresh on every run (planning cost the server as much CPU as running
// them: src/db/queries/customer-scores.ts, customer-json.ts). pg_prepared_statements counts, per
// statement of the session, the runs that took the generic plan and those planned for their values.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, queryRows, type Database } from '../../../src/db/client.ts';
import { customersJson } from '../../../src/db/queries/customer-json.ts';
import { atRiskJsonPage, atRiskPage } from '../../../src/db/queries/customer-scores.ts';
import { createPostgresTestDatabase, testEngines } from '../../helpers/db.ts';

const TIERS = ['high', 'medium', 'low'] as const;

describe.skipIf(!testEngines().includes('postgres'))('prepared statements of the hot reads on PostgreSQL', () => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const created = await createPostgresTestDatabase();
    drop = created.drop;
    // one connection: pg_prepared_statements shows that session's statements
    database = await openDatabase({ url: created.url, maxConnections: 1 });
    await migrate(database);
    // a shop's size and skewed tiers: a plan made for 'high' differs from one for any tier
    await database.db.execute(sql`INSERT INTO customers (external_id, unsubscribed) SELECT 'c' || g, false FROM generate_series(1, 4338) g`);
    await database.db.execute(sql`
      INSERT INTO customer_scores (customer_id, churn_probability, risk_tier, p_alive, expected_purchases, predicted_clv, value_at_risk,
        avg_days_between_orders, recency_days, frequency, monetary, r_score, f_score, m_score, segment, reasons, model_version, as_of)
      SELECT id, (id % 100) / 100.0, (CASE WHEN id % 9 < 2 THEN 'high' WHEN id % 9 < 5 THEN 'medium' ELSE 'low' END)::risk_tier, 0.5, 1,
        100 + id, 21 + 36000 * power((id * 7919 % 4338) / 4338.0, 6), 30, id % 400, 1 + id % 7, 20, 1 + id % 5, 1, 1, 'at_risk', '[]', 'v1', '2011-12-09'
      FROM customers`);
    await database.db.execute(sql`ANALYZE`);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  const plans = async (like: string) =>
    queryRows<{ generic: number; custom: number }>(
      database.db,
      sql`SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement ILIKE ${like}`,
    );

  it('plans an at-risk page once per shape and page size, whatever the limit and tier', async () => {
    for (let run = 0; run < 10; run++) {
      await atRiskJsonPage(database.db, { tier: TIERS[run % 3]!, limit: 40 + run });
      await atRiskPage(database.db, { minProbability: 0.2, limit: 50 });
    }
    const pages = await plans('select%"customer_scores"%order by%');
    expect(pages).toHaveLength(2);
    for (const p of pages) {
      expect(p.custom + p.generic).toBe(10);
      expect(p.custom).toBeLessThanOrEqual(5);
    }
  });

  it('plans a batch of customer lookups once per count of ids', async () => {
    for (let run = 0; run < 10; run++) await customersJson(database.db, [`c${run}`, `c${run + 100}`, `c${run + 200}`]);
    const [lookup] = await plans('%"external_id" in ($1, $2, $3)%');
    expect(lookup).toBeDefined();
    expect(lookup!.custom + lookup!.generic).toBe(10);
    expect(lookup!.custom).toBeLessThanOrEqual(5);
  });
});

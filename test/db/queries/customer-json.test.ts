import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { CUSTOMERS_JSON_MAX_IDS, customersJson } from '../../../src/db/queries/customer-json.ts';
import { atRiskJsonPage, atRiskPage, type AtRiskFilter } from '../../../src/db/queries/customer-scores.ts';
import { customerWithScore } from '../../../src/db/queries/customers.ts';
import { customers, customerScores, type CustomerScore } from '../../../src/db/schema/index.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';

/** The API's scores object as JavaScript writes it from the typed row (what the routes answered before the database wrote it). */
function scoresFromRow(s: CustomerScore) {
  return {
    churn_probability: s.churnProbability,
    risk_tier: s.riskTier,
    p_alive: s.pAlive,
    expected_purchases: s.expectedPurchases,
    predicted_clv: s.predictedClv,
    value_at_risk: s.valueAtRisk,
    expected_next_order_at: s.expectedNextOrderAt?.toISOString() ?? null,
    recency_days: s.recencyDays,
    frequency: s.frequency,
    monetary: s.monetary,
    rfm: { r: s.rScore, f: s.fScore, m: s.mScore },
    segment: s.segment,
    reasons: s.reasons,
    model_version: s.modelVersion,
    as_of: s.asOf.toISOString(),
    scored_at: s.scoredAt.toISOString(),
  };
}

// values whose text forms differ between PostgreSQL and JavaScript, or need escaping
const ODD = [
  { externalId: 'plain', email: 'a@example.com', churn: 0.1, clv: 123.456, var: 12.3456, recency: 0.5, monetary: 19.99, next: '2011-12-24T10:15:30.123456Z', reasons: [{ reason: 'recency', effect: 0.2, detail: 'last order 10 days ago' }] },
  { externalId: 'quote"back\\slash', email: null, churn: 1, clv: 1e-7, var: 1e-7, recency: 3.4028234663852886e38, monetary: 1.5e21, next: null, reasons: [] },
  { externalId: 'ünï €', email: 'x"y@example.com', churn: 0, clv: 0, var: 0, recency: 1e-40, monetary: 123456789012345680000, next: '1900-01-01T00:00:00Z', reasons: [{ reason: 'cadence', effect: -1.25e-9, detail: 'tab\there "quoted" \u2028 line' }] },
  { externalId: 'big', email: 'b@example.com', churn: 0.7, clv: 98765.4321, var: 69135.80247, recency: 400, monetary: 0.3, next: '9999-12-31T23:59:59.999Z', reasons: [] },
];

describe.each(testEngines())('customers and at-risk rows as JSON written by the database (%s)', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const db = database.db;
    for (const [k, o] of ODD.entries()) {
      const [row] = await db.insert(customers).values({ externalId: o.externalId, email: o.email, unsubscribed: false }).returning({ id: customers.id });
      await db.insert(customerScores).values({
        customerId: row!.id,
        churnProbability: o.churn,
        riskTier: k % 2 === 0 ? 'high' : 'medium',
        pAlive: 0.123456789,
        expectedPurchases: 2.5,
        predictedClv: o.clv,
        valueAtRisk: o.var,
        expectedNextOrderAt: o.next === null ? null : new Date(o.next),
        avgDaysBetweenOrders: 30,
        recencyDays: o.recency,
        frequency: k + 1,
        monetary: o.monetary,
        rScore: 1,
        fScore: 5,
        mScore: 3,
        segment: k % 2 === 0 ? 'at_risk' : 'loyal',
        reasons: o.reasons,
        modelVersion: `v${k}`,
        asOf: new Date('2011-12-09T12:50:00Z'),
      });
    }
    // scored_at from now(): microseconds, which the API shows to the millisecond
    await db.execute(sql`UPDATE customer_scores SET scored_at = '2026-12-01 16:45:01.987654+00' WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'plain')`);
    await db.insert(customers).values([
      { externalId: 'unscored', unsubscribed: true },
      { externalId: 'erased', erasedAt: new Date() },
    ]);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('writes GET /v1/customers/{id} as JavaScript would from the typed row, for many customers in one query', async () => {
    const ids = [...ODD.map((o) => o.externalId), 'unscored'];
    const bodies = await customersJson(database.db, [...ids, 'nobody', 'erased', 'plain']);
    expect([...bodies.keys()].sort()).toEqual([...ids].sort());
    for (const externalId of ids) {
      const row = (await customerWithScore(database.db, externalId))!;
      expect(JSON.parse(bodies.get(externalId)!), externalId).toEqual({ customer_id: externalId, unsubscribed: row.customer.unsubscribed, scores: row.score ? scoresFromRow(row.score) : null });
      expect((await customersJson(database.db, [externalId])).get(externalId), externalId).toBe(bodies.get(externalId));
    }
    const plain = JSON.parse(bodies.get('plain')!);
    expect(plain.scores.scored_at).toBe('2026-12-01T16:45:01.987Z');
    expect(plain.scores.expected_next_order_at).toBe('2011-12-24T10:15:30.123Z');
    expect(JSON.parse(bodies.get('unscored')!)).toEqual({ customer_id: 'unscored', unsubscribed: true, scores: null });
  });

  it('answers more ids than one statement takes', async () => {
    const many = [...Array.from({ length: CUSTOMERS_JSON_MAX_IDS + 3 }, (_, k) => `absent-${k}`), 'plain', 'big'];
    expect([...(await customersJson(database.db, many)).keys()].sort()).toEqual(['big', 'plain']);
  });

  it('has no body for an unknown or erased customer', async () => {
    expect((await customersJson(database.db, ['nobody', 'erased'])).size).toBe(0);
    expect((await customersJson(database.db, [])).size).toBe(0);
  });

  it('writes each at-risk row as the typed page has it, in the same order, for every filter shape', async () => {
    const filters: AtRiskFilter[] = [
      { limit: 10 },
      { limit: 2 },
      { tier: 'high', limit: 10 },
      { minProbability: 0.05, segment: 'at_risk', limit: 10 },
      { minDaysSinceOrder: 1, maxDaysSinceOrder: 500, minOrders: 2, limit: 10 },
      { due: true, excludeContactedWithinDays: 30, minClv: 0, limit: 10 },
    ];
    for (const f of filters) {
      const rows = await atRiskPage(database.db, f);
      const json = await atRiskJsonPage(database.db, f);
      expect(rows.length, JSON.stringify(f)).toBeGreaterThan(0);
      expect(json.map((r) => JSON.parse(r.json))).toEqual(rows.map(({ externalId, email, ...s }) => ({ customer_id: externalId, email, scores: scoresFromRow(s) })));
      expect(json.map((r) => [r.customerId, r.valueAtRisk, r.externalId])).toEqual(rows.map((r) => [r.customerId, r.valueAtRisk, r.externalId]));
    }
    const first = await atRiskJsonPage(database.db, { limit: 2 });
    const last = first[1]!;
    const next = await atRiskJsonPage(database.db, { limit: 10, after: { valueAtRisk: last.valueAtRisk, customerId: last.customerId } });
    expect(next.map((r) => r.externalId)).toEqual((await atRiskPage(database.db, { limit: 10 })).slice(2).map((r) => r.externalId));
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { BulkSession, Database } from '../../../src/db/client.ts';
import { replaceCustomerScores, type ScoreRow } from '../../../src/db/queries/customer-scores-replace.ts';
import { eraseCustomerRows } from '../../../src/db/queries/customers.ts';
import { insertEvents } from '../../../src/db/queries/events.ts';
import { insertServed } from '../../../src/db/queries/served-recommendations.ts';
import { customers, customerScores, events, purchases, servedRecommendations } from '../../../src/db/schema/index.ts';
import { importPurchases } from '../../../src/import/purchase-import.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';

const score = (externalId: string): ScoreRow => ({
  externalId, churnProbability: 0.8, riskTier: 'high', pAlive: 0.5, expectedPurchases: 1, predictedClv: 100, valueAtRisk: 80,
  expectedNextOrderAt: null, avgDaysBetweenOrders: null, recencyDays: 30, frequency: 2, monetary: 50, rScore: 2, fScore: 3, mScore: 3,
  segment: 'at risk', reasons: [{ reason: 'recency', effect: 0.5, detail: 'last order 30 days ago' }], purchaseLines: 0,
});
const run = {
  modelVersion: 'v1', clock: 'data' as const, asOf: Date.UTC(2011, 11, 10),
  population: { bgNbd: { r: 1, alpha: 1, a: 1, b: 1 }, gammaGamma: { p: 1, q: 1, v: 1 }, rfm: { recencyDays: [], orders: [], meanOrderValue: [] } },
};

/**
 * Runs `statements` in a transaction on a connection of its own, starts `other` while it is open,
 * commits after 300 ms, and tells whether `other` finished before the commit (it should wait).
 */
async function whileOpen(database: Database, statements: string, other: () => Promise<unknown>): Promise<{ finishedBeforeCommit: boolean; result: unknown }> {
  let committing = false;
  let finishedBeforeCommit: boolean | undefined;
  let running: Promise<unknown> | undefined;
  await database.withSession(async (session: BulkSession) => {
    await session.exec('BEGIN');
    await session.exec(statements);
    running = other().then((r) => {
      finishedBeforeCommit = !committing;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    committing = true;
    await session.exec('COMMIT');
  });
  const result = await running;
  return { finishedBeforeCommit: finishedBeforeCommit!, result };
}

// Erasure against writers that run at the same time: needs two connections, so real PostgreSQL
// only (PGlite has one). Without the locks each of these left a row of the erased customer behind.
describe.runIf(testEngines().includes('postgres'))('erasure against concurrent writers (postgres)', () => {
  let database: Database;
  const rowsOf = async (externalId: string) => {
    const [c] = await database.db.select({ id: customers.id }).from(customers).where(eq(customers.externalId, externalId));
    const count = async (table: typeof purchases | typeof events | typeof customerScores) =>
      (await database.db.select().from(table).where(eq(table.customerId, c!.id))).length;
    return { purchases: await count(purchases), events: await count(events), scores: await count(customerScores) };
  };
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await database.db.insert(customers).values(['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((externalId) => ({ externalId })));
    await replaceCustomerScores(database, [[score('c1'), score('c2')]], run);
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  it('an erasure during a re-scoring waits for it and then deletes the new score row', async () => {
    // the re-scoring as replaceCustomerScores runs it: all rows deleted, non-erased customers' rows inserted
    const { finishedBeforeCommit } = await whileOpen(
      database,
      `CREATE TEMP TABLE previous ON COMMIT DROP AS SELECT * FROM customer_scores;
       DELETE FROM customer_scores;
       INSERT INTO customer_scores SELECT p.* FROM previous p JOIN customers c ON c.id = p.customer_id AND c.erased_at IS NULL;`,
      () => eraseCustomerRows(database.db, 'c1'),
    );
    expect(finishedBeforeCommit).toBe(false);
    expect((await rowsOf('c1')).scores).toBe(0);
    expect((await rowsOf('c2')).scores).toBe(1);
  });

  it('an event batch during an erasure waits for it and refuses the customer', async () => {
    // the erasure's first step (as eraseCustomerRows): the customer row marked, the transaction still open
    const { finishedBeforeCommit, result } = await whileOpen(database, `UPDATE customers SET erased_at = now(), unsubscribed = true WHERE external_id = 'c3'`, () =>
      insertEvents(database.db, [{ eventId: 'race-1', type: 'purchase', customerId: 'c3', itemId: 'i1', quantity: 1, occurredAt: new Date('2011-12-01T00:00:00Z') }]),
    );
    expect(finishedBeforeCommit).toBe(false);
    expect(result).toEqual(['customer_erased']);
    expect(await rowsOf('c3')).toEqual({ purchases: 0, events: 0, scores: 0 });
  });

  const linesFile = (lines: string[]): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'retain-erasure-')), 'lines.csv');
    writeFileSync(file, ['customer_id,order_id,item_id,quantity,unit_price,occurred_at', ...lines, ''].join('\n'));
    return file;
  };

  it('an import during an erasure waits for it and stores nothing of the customer', async () => {
    const file = linesFile(['c4,race-o1,i1,1,2,2011-12-01', 'c2,race-o2,i1,1,2,2011-12-01']);
    const { finishedBeforeCommit, result } = await whileOpen(database, `UPDATE customers SET erased_at = now(), unsubscribed = true WHERE external_id = 'c4'`, () => importPurchases(database, file));
    expect(finishedBeforeCommit).toBe(false);
    expect(result).toMatchObject({ purchases: 1, erased: 1 });
    expect((await rowsOf('c4')).purchases).toBe(0);
    expect((await rowsOf('c2')).purchases).toBe(1);
  });

  /**
   * The other order: a writer is inside its transaction when the erasure starts. To hold it there,
   * another connection inserts, uncommitted, a purchase line with the key the writer will store
   * (for another customer), so the writer's insert waits on it while the erasure has nothing to
   * wait for but the writer's own locks; then that line is rolled back and the writer goes on.
   * The erasure must wait for the writer and then delete what it stored.
   */
  async function erasureDuringWriter(customer: string, orderId: string, writer: () => Promise<unknown>): Promise<void> {
    let erasure: Promise<unknown> | undefined;
    let writing: Promise<unknown> | undefined;
    await database.withSession(async (session) => {
      await session.exec(`BEGIN; INSERT INTO purchases (customer_id, item_id, order_id, line_no, quantity, unit_price, occurred_at)
        VALUES ((SELECT id FROM customers WHERE external_id = 'c2'), (SELECT id FROM items WHERE external_id = 'i1'), '${orderId}', 1, 1, 1, now())`);
      writing = writer();
      await new Promise((r) => setTimeout(r, 200));
      erasure = eraseCustomerRows(database.db, customer);
      await new Promise((r) => setTimeout(r, 200));
      await session.exec('ROLLBACK');
    });
    await writing;
    await erasure;
  }

  it('an erasure during an event batch waits for it and then deletes its event and purchase', async () => {
    await erasureDuringWriter('c5', 'event:race-2', () =>
      insertEvents(database.db, [{ eventId: 'race-2', type: 'purchase', customerId: 'c5', itemId: 'i1', quantity: 1, occurredAt: new Date('2011-12-01T00:00:00Z') }]),
    );
    expect(await rowsOf('c5')).toEqual({ purchases: 0, events: 0, scores: 0 });
  });

  it('an erasure during an import waits for it and then deletes what it stored', async () => {
    await erasureDuringWriter('c6', 'race-o3', () => importPurchases(database, linesFile(['c6,race-o3,i1,1,2,2011-12-01'])));
    expect((await rowsOf('c6')).purchases).toBe(0);
  });

  const servedOf = async (externalId: string) => (await database.db.select().from(servedRecommendations).where(eq(servedRecommendations.customerExternalId, externalId))).length;
  const served = (externalId: string) => ({ id: crypto.randomUUID(), customerExternalId: externalId, modelVersion: 'v1', source: 'model', strategy: 'for_you', items: ['i1', 'i2'], servedAt: Date.UTC(2011, 11, 9) });

  it('an erasure during a served-list insert waits for it and then deletes the list', async () => {
    // the insert has read its snapshot (c1 not erased) and not yet committed when the erasure starts
    const { finishedBeforeCommit } = await whileOpen(
      database,
      `INSERT INTO served_recommendations (id, customer_external_id, model_version, source, strategy, items, served_at)
       VALUES (gen_random_uuid(), 'c2', 'v1', 'model', 'for_you', '{i1}', now())`,
      () => eraseCustomerRows(database.db, 'c2'),
    );
    expect(finishedBeforeCommit).toBe(false);
    expect(await servedOf('c2')).toBe(0);
  });

  it('a served-list insert during an erasure waits for it and leaves the list out', async () => {
    // the erasure's first steps (as eraseCustomerRows): its lock on the served lists, the customer row marked
    const { finishedBeforeCommit } = await whileOpen(
      database,
      `LOCK TABLE served_recommendations IN SHARE MODE; UPDATE customers SET erased_at = now(), unsubscribed = true WHERE external_id = 'c1'`,
      () => insertServed(database.db, [served('c1'), served('walk-in')]),
    );
    expect(finishedBeforeCommit).toBe(false);
    expect(await servedOf('c1')).toBe(0);
    expect(await servedOf('walk-in')).toBe(1); // a customer never stored is served and recorded
  });

  it('an erasure during a first load (purchases locked whole) waits for it, without a deadlock', async () => {
    const fresh = await openTestDatabase('postgres');
    try {
      let erasure: Promise<unknown> | undefined;
      let loading: Promise<unknown> | undefined;
      await fresh.withSession(async (session) => {
        // holds the load between its lock on purchases and its customers: their INSERT waits on this row
        await session.exec(`BEGIN; INSERT INTO customers (external_id) VALUES ('held')`);
        loading = importPurchases(fresh, linesFile(['held,first-o1,i1,1,2,2011-12-01', 'c7,first-o2,i1,1,2,2011-12-01']));
        await new Promise((r) => setTimeout(r, 200));
        // before purchases were locked first, the erasure held c7's row here while waiting for purchases
        erasure = eraseCustomerRows(fresh.db, 'c7');
        await new Promise((r) => setTimeout(r, 200));
        await session.exec('ROLLBACK');
      });
      expect(await loading).toMatchObject({ purchases: 2, phases: { insert: 0 } });
      expect(await erasure).toMatchObject({ purchases: 1 });
      const [c7] = await fresh.db.select({ id: customers.id }).from(customers).where(eq(customers.externalId, 'c7'));
      expect(await fresh.db.select().from(purchases).where(eq(purchases.customerId, c7!.id))).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

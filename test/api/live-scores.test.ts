// Scores that follow the customer, through HTTP against a running server on the bundled Online
// Retail shop: a purchase re-scores its buyer in the event's transaction, a concurrent full run
// does not undo it, an erasure during the scoring leaves no row. Both engines; the orderings
// that need a second connection run on PostgreSQL only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { loadChurnModel } from '../../src/artifacts/codecs/churn.ts';
import { createApp } from '../../src/api/app.ts';
import { listen, type RunningServer } from '../../src/api/server.ts';
import type { Database } from '../../src/db/client.ts';
import { latestScoringRun } from '../../src/db/queries/customer-scores-live.ts';
import { loadPurchaseLog } from '../../src/db/queries/purchase-log.ts';
import { customers, customerScores, scoringRuns } from '../../src/db/schema/index.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { importFile } from '../../src/jobs/import.ts';
import { scheduledScoring, startScoreSchedule } from '../../src/jobs/score-schedule.ts';
import { writeCustomerScores } from '../../src/jobs/score-customers.ts';
import { scoreCustomers } from '../../src/services/customer-scoring.ts';
import { trainChurn } from '../../src/jobs/train-churn.ts';
import { createLogger } from '../../src/logger.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const logger = createLogger('silent');

interface Scores {
  churn_probability: number;
  risk_tier: string;
  recency_days: number;
  frequency: number;
  segment: string;
  as_of: string;
}

describe.each(testEngines())('live scores on %s', (engine) => {
  let database: Database;
  let modelsDir: string;
  let runtime: ServiceRuntime;
  let server: RunningServer;
  let base: string;
  let order = 0;

  const customer = async (id: string): Promise<Scores | null> => ((await (await fetch(`${base}/v1/customers/${id}`)).json()) as { scores: Scores | null }).scores;
  const buy = async (id: string, at: string, item = '85123A') => {
    order++;
    const res = await fetch(`${base}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_id: `live-${order}`, type: 'purchase', customer_id: id, item_id: item, quantity: 6, price: 2.55, occurred_at: at, order_id: `live-o${order}` }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
  };
  const topHighRisk = async (n: number, filter = ''): Promise<string[]> => {
    const page = (await (await fetch(`${base}/v1/churn/at-risk?tier=high&limit=${n}${filter}`)).json()) as { customers: { customer_id: string }[] };
    return page.customers.map((c) => c.customer_id);
  };
  const scoreRow = async (externalId: string) => {
    const [row] = await database.db
      .select({ s: customerScores })
      .from(customerScores)
      .innerJoin(customers, eq(customers.id, customerScores.customerId))
      .where(eq(customers.externalId, externalId));
    return row?.s;
  };

  beforeAll(async () => {
    await initTf();
    database = await openTestDatabase(engine);
    await importPurchases(database, 'data/online-retail/online_retail_lines.csv.gz', { format: 'online-retail' });
    modelsDir = await mkdtemp(join(tmpdir(), 'retain-live-'));
    await trainChurn({ source: { database }, modelsDir, training: { horizonDays: 92, windows: 2, net: { hiddenUnits: 0, seeds: [1] } }, scoreInto: database });
    runtime = new ServiceRuntime({ database, modelsDir, logger, pollMs: 0 });
    await runtime.start();
    server = await listen(createApp({ runtime, logger }), { port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${server.port}`;
  }, 300_000);
  afterAll(async () => {
    await server?.close(1000).catch(() => {});
    runtime?.stop();
    await database?.close();
    if (modelsDir) await rm(modelsDir, { recursive: true, force: true });
  });

  it('filters the win-back list by days since the order, orders and due, in JSON and CSV, with the contact cap', async () => {
    const query = 'tier=high&min_days_since_order=30&max_days_since_order=200&min_orders=2&due=true&exclude_contacted_within_days=30';
    const page = (await (await fetch(`${base}/v1/churn/at-risk?${query}&limit=1000`)).json()) as { customers: { customer_id: string; scores: Scores }[] };
    const all = (await (await fetch(`${base}/v1/churn/at-risk?tier=high&limit=1000`)).json()) as { customers: unknown[] };
    expect(page.customers.length).toBeGreaterThan(0);
    expect(page.customers.length).toBeLessThan(all.customers.length);
    for (const c of page.customers.slice(0, 50)) {
      expect(c.scores.recency_days).toBeGreaterThanOrEqual(30);
      expect(c.scores.recency_days).toBeLessThanOrEqual(200);
      expect(c.scores.frequency).toBeGreaterThanOrEqual(2);
      const row = (await scoreRow(c.customer_id))!;
      expect(row.recencyDays).toBeGreaterThan(row.avgDaysBetweenOrders!);
    }
    const csv = await (await fetch(`${base}/v1/churn/at-risk?${query}&format=csv`)).text();
    expect(csv.trim().split('\n').slice(1).map((l) => l.split(',')[0])).toEqual(page.customers.map((c) => c.customer_id));
    // due alone leaves out the one-order customers
    const due = (await (await fetch(`${base}/v1/churn/at-risk?due=true&limit=1000`)).json()) as { customers: { scores: Scores }[] };
    expect(due.customers.every((c) => c.scores.frequency >= 2)).toBe(true);
  });

  it('re-scores the high-risk customer who buys: they leave the high tier at once, recency, frequency and segment move', async () => {
    // the first of the list who has not ordered for two months (so RFM recency score 1 or 2)
    const [id] = await topHighRisk(1, '&min_days_since_order=120');
    const before = (await customer(id!))!;
    expect(before.risk_tier).toBe('high');
    expect(before.recency_days).toBeGreaterThanOrEqual(120);
    const posted = Date.now();
    await buy(id!, '2011-12-09T15:00:00Z');
    const after = (await customer(id!))!;
    expect(Date.now() - posted).toBeLessThan(2000);
    expect(after.risk_tier).not.toBe('high');
    expect(after.churn_probability).toBeLessThan(before.churn_probability);
    // the sample's clock: as of the end of its data, the same moment as the full run
    expect(after.as_of).toBe(before.as_of);
    expect(after.recency_days).toBeCloseTo(0.375, 6);
    expect(after.frequency).toBe(before.frequency + 1);
    expect(['at risk', 'lost', 'hibernating', 'needs attention']).toContain(before.segment);
    expect(['champions', 'loyal', 'new', 'promising']).toContain(after.segment);
    expect(await topHighRisk(1)).not.toContain(id);
  });

  it('gives the bought customer the row a full run at the same as_of computes, against the run\'s population', async () => {
    const [id] = await topHighRisk(1);
    await buy(id!, '2011-12-08T10:00:00Z');
    const run = (await latestScoringRun(database.db))!;
    const model = await loadChurnModel(modelsDir, run.modelVersion);
    const full = scoreCustomers(await loadPurchaseLog(database.db), model, run.asOf.getTime(), {}, run.population);
    const expected = full.row(full.customerIds.indexOf(id!));
    const stored = (await scoreRow(id!))!;
    // the stored columns are float4 (real) or float8: compared at their precision
    expect(stored.churnProbability).toBeCloseTo(expected.churnProbability, 6);
    expect(stored.predictedClv).toBeCloseTo(expected.predictedClv, 9);
    expect(stored.pAlive).toBeCloseTo(expected.pAlive, 6);
    expect(stored.recencyDays).toBeCloseTo(expected.recencyDays, 5);
    expect({ f: stored.frequency, m: stored.monetary, r: stored.rScore, fs: stored.fScore, ms: stored.mScore, seg: stored.segment, lines: stored.purchaseLines }).toEqual({
      f: expected.frequency, m: expected.monetary, r: expected.rScore, fs: expected.fScore, ms: expected.mScore, seg: expected.segment, lines: expected.purchaseLines,
    });
    expect(stored.reasons).toEqual(expected.reasons);
    expect(stored.runId).toBe(run.id);
  });

  it('keeps the live row when a full run that read the purchases before the event writes after it', async () => {
    const [id] = await topHighRisk(1);
    const run = (await latestScoringRun(database.db))!;
    const model = await loadChurnModel(modelsDir, run.modelVersion);
    // the full run's snapshot is taken, then the customer buys, then the run writes
    const stale = scoreCustomers(await loadPurchaseLog(database.db), model, run.asOf.getTime());
    await buy(id!, '2011-12-09T11:00:00Z');
    const live = (await scoreRow(id!))!;
    const written = await writeCustomerScores(database, stale, run.modelVersion, 'data');
    expect(written.keptNewer).toBeGreaterThanOrEqual(1);
    const kept = (await scoreRow(id!))!;
    expect(kept.purchaseLines).toBe(live.purchaseLines);
    expect(kept.churnProbability).toBe(live.churnProbability);
    expect(kept.runId).toBe(live.runId);
    // everyone else took the new run's rows
    expect((await latestScoringRun(database.db))!.id).toBe(written.runId);
  });

  it('scores an event dated after the historical data as of just after it: no NaN, recency 0', async () => {
    const [id] = await topHighRisk(1);
    const at = new Date(Date.now() - 60_000).toISOString();
    await buy(id!, at);
    const after = (await customer(id!))!;
    expect(Date.parse(after.as_of)).toBe(Date.parse(at) + 1);
    expect(after.recency_days).toBeCloseTo(0, 6);
    expect(Number.isFinite(after.churn_probability)).toBe(true);
  });

  it.runIf(engine === 'postgres')('an event during a full run\'s write waits for it, then its live row wins', async () => {
    const [id] = await topHighRisk(1);
    const before = (await scoreRow(id!))!;
    let eventDone = false;
    let committing = false;
    await database.withSession(async (session) => {
      // the full run's write of this customer's row (older version), transaction left open
      await session.exec(`BEGIN; UPDATE customer_scores SET risk_tier = 'high', churn_probability = 0.99 WHERE customer_id = ${before.customerId}`);
      const event = buy(id!, '2011-12-09T12:00:00Z').then(() => {
        eventDone = !committing;
      });
      await new Promise((r) => setTimeout(r, 300));
      committing = true;
      await session.exec('COMMIT');
      await event;
    });
    expect(eventDone).toBe(false);
    const after = (await scoreRow(id!))!;
    expect(after.purchaseLines).toBe(before.purchaseLines + 1);
    expect(after.churnProbability).toBeLessThan(0.99);
  });

  it.runIf(engine === 'postgres')('an erasure during the live scoring of a batch waits for it and leaves no row', async () => {
    const [id] = await topHighRisk(1);
    const orderId = `live-o${order + 1}`;
    let erasure: Promise<Response> | undefined;
    let event: Promise<void> | undefined;
    await database.withSession(async (session) => {
      // holds the batch inside its transaction: its purchase line waits on this uncommitted one
      await session.exec(`BEGIN; INSERT INTO purchases (customer_id, item_id, order_id, line_no, quantity, unit_price, occurred_at)
        VALUES (1, 1, '${orderId}', 1, 1, 1, now())`);
      event = buy(id!, '2011-12-09T13:00:00Z');
      await new Promise((r) => setTimeout(r, 200));
      erasure = fetch(`${base}/v1/customers/${id}`, { method: 'DELETE' });
      await new Promise((r) => setTimeout(r, 200));
      await session.exec('ROLLBACK');
    });
    await event;
    expect((await erasure!).status).toBe(200);
    expect(await scoreRow(id!)).toBeUndefined();
    expect((await fetch(`${base}/v1/customers/${id}`)).status).toBe(404);
  });

  it('an import that adds purchase and cancellation lines re-scores their customer after it commits', async () => {
    const [id] = await topHighRisk(1, '&min_days_since_order=30');
    const before = (await scoreRow(id!))!;
    const file = join(modelsDir, 'more-lines.csv');
    await writeFile(file, ['customer_id,order_id,item_id,quantity,unit_price,occurred_at', `${id},imp-1,85123A,4,2.55,2011-12-09T10:00:00Z`, `${id},imp-2,85123A,-1,2.55,2011-12-09T11:00:00Z`, ''].join('\n'));
    const result = await importFile(database, { kind: 'purchases', format: 'canonical', file, rescoreWith: { modelsDir } });
    expect(result).toMatchObject({ kind: 'purchases', summary: { purchases: 1, cancellations: 1 } });
    expect(result.kind === 'purchases' && result.rescored).toBeGreaterThanOrEqual(1);
    const after = (await scoreRow(id!))!;
    expect(after.purchaseLines).toBe(before.purchaseLines + 2);
    expect(after.frequency).toBe(before.frequency + 1);
    expect(after.recencyDays).toBeLessThan(before.recencyDays);
  });

  const runs = async () => (await database.db.select({ id: scoringRuns.id }).from(scoringRuns)).length;
  const ageRuns = () => database.db.update(scoringRuns).set({ scoredAt: sql`now() - interval '1 day'` });

  // the shop's "now", two days after the sample ends (as of the wall clock every 2011 customer is years gone)
  const now = () => Date.UTC(2011, 11, 12, 9);

  it('the schedule re-scores as of now once a period: a second look finds the run fresh', async () => {
    await ageRuns();
    const before = await runs();
    const first = await scheduledScoring(database, { everyMs: 3_600_000, modelsDir, now });
    expect(first.outcome).toBe('scored');
    if (first.outcome === 'scored') expect(first.stored).toMatchObject({ clock: 'now', asOf: now() });
    expect((await scheduledScoring(database, { everyMs: 3_600_000, modelsDir, now })).outcome).toBe('fresh');
    expect(await runs()).toBe(before + 1);
    const run = (await latestScoringRun(database.db))!;
    expect(run.clock).toBe('now');
  });

  it.runIf(engine === 'postgres')('with two replicas looking every 50 ms, exactly one scores in a period', async () => {
    await ageRuns();
    const before = await runs();
    const scored: number[] = [];
    const replicas = [0, 1].map((r) => startScoreSchedule(database, { everyMs: 3_600_000, modelsDir, now, checkMs: 50, onScored: () => void scored.push(r) }));
    const deadline = Date.now() + 120_000;
    while ((await runs()) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // both keep looking for a while after the run committed
    await new Promise((r) => setTimeout(r, 1_500));
    await Promise.all(replicas.map((s) => s.stop()));
    expect(await runs()).toBe(before + 1);
    expect(scored).toHaveLength(1);
  });

  it('an erasure after the live scoring leaves no row', async () => {
    const [id] = await topHighRisk(1);
    await buy(id!, '2011-12-09T14:00:00Z');
    expect(await scoreRow(id!)).toBeDefined();
    expect((await fetch(`${base}/v1/customers/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect(await scoreRow(id!)).toBeUndefined();
  });
});

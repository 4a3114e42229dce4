// Scoring every Online Retail customer into customer_scores, on PGlite and (when configured) PostgreSQL.
import { afterAll, beforeAll, describe, it, expect } from 'vitest';
import { count, eq, sql } from 'drizzle-orm';
import type { ChurnModel } from '../../src/artifacts/codecs/churn.ts';
import type { Database } from '../../src/db/client.ts';
import { replaceCustomerScores } from '../../src/db/queries/customer-scores-replace.ts';
import { customers, customerScores } from '../../src/db/schema/index.ts';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import { trainChurnModel } from '../../src/ml/churn/train.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../../src/ml/customers/purchase-log.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { writeCustomerScores } from '../../src/jobs/score-customers.ts';
import { riskTier, scoreCustomers, type CustomerScoreTable } from '../../src/services/customer-scoring.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const CUTOFF = Date.parse('2011-09-09T00:00:00Z');
let log: PurchaseLog;
let table: CustomerScoreTable;
let trainedModel: ChurnModel | undefined;

beforeAll(async () => {
  await initTf();
  log = (await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail')).log;
  const training = await trainChurnModel(log, CUTOFF, { horizonDays: 92, windows: 2, net: { hiddenUnits: 0, seeds: [1] } });
  const model: ChurnModel = { classifier: training.fit.classifier, horizonDays: 92, bgNbdPenalizer: 0 };
  trainedModel = model;
  table = scoreCustomers(log, model, CUTOFF);
});

describe('scoreCustomers', () => {
  it('scores every customer with a purchase before the cutoff, with consistent derived fields', () => {
    expect(table.rows).toBe(3362);
    expect(table.riskCounts.high + table.riskCounts.medium + table.riskCounts.low).toBe(3362);
    for (let i = 0; i < table.rows; i += 97) {
      const r = table.row(i);
      expect(r.churnProbability).toBeGreaterThanOrEqual(0);
      expect(r.churnProbability).toBeLessThanOrEqual(1);
      expect(r.riskTier).toBe(riskTier(r.churnProbability));
      expect(r.valueAtRisk).toBeCloseTo(r.churnProbability * r.predictedClv, 6);
      expect(r.predictedClv).toBeGreaterThanOrEqual(0);
      expect(r.reasons.length).toBeLessThanOrEqual(3);
      for (const reason of r.reasons) {
        expect(reason.effect).toBeGreaterThan(0);
        expect(reason.detail.length).toBeGreaterThan(0);
      }
    }
  });

  it('refuses a model trained on another feature set, naming what to do', () => {
    const trained = trainedModel!;
    const older: ChurnModel = { ...trained, classifier: { ...trained.classifier, featureNames: trained.classifier.featureNames.slice(0, 14) } };
    expect(() => scoreCustomers(log, older, CUTOFF)).toThrow(/trained on 14 features .* retrain it with 'retain train churn/);
  });

  it('gives a customer scored on their own, against the run\'s population, the full run\'s row (to 1e-9)', () => {
    for (let i = 0; i < table.rows; i += 211) {
      const id = table.customerIds[i]!;
      const c = log.customerIds.indexOf(id);
      const own = new PurchaseLogBuilder();
      for (let k = 0; k < log.customer.length; k++) {
        if (log.customer[k] === c) own.add(id, log.itemIds[log.item[k]!]!, `o${log.order[k]}`, log.quantity[k]!, log.unitPrice[k]!, log.time[k]!);
      }
      const cancelled = log.cancellations!;
      for (let k = 0; k < cancelled.customer.length; k++) if (cancelled.customer[k] === c) own.addCancellation(id, 1, cancelled.value[k]!, cancelled.time[k]!);
      const alone = scoreCustomers(own.build(), trainedModel!, CUTOFF, {}, table.population);
      expect(alone.rows).toBe(1);
      const a = alone.row(0);
      const b = table.row(i);
      for (const key of Object.keys(b) as (keyof typeof b)[]) {
        const [x, y] = [a[key], b[key]];
        if (typeof y === 'number') expect(Math.abs((x as number) - y), `${id} ${key}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)));
        else expect(x, `${id} ${key}`).toEqual(y);
      }
    }
  });

  it('puts tiers at the documented thresholds', () => {
    expect(riskTier(0.71)).toBe('high');
    expect(riskTier(0.7)).toBe('medium');
    expect(riskTier(0.4)).toBe('medium');
    expect(riskTier(0.39)).toBe('low');
  });

  it('gives the customer who has not ordered for longest a higher churn probability than a weekly buyer', () => {
    let oldest = 0;
    let busiest = 0;
    for (let i = 1; i < table.rows; i++) {
      if (table.row(i).recencyDays > table.row(oldest).recencyDays) oldest = i;
      if (table.row(i).frequency > table.row(busiest).frequency) busiest = i;
    }
    expect(table.row(oldest).churnProbability).toBeGreaterThan(table.row(busiest).churnProbability);
    expect(table.row(oldest).reasons.length).toBeGreaterThan(0);
  });
});

describe.each(testEngines())('customer_scores replacement on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    // every scored customer but the first is known to the database
    const ids = table.customerIds.slice(1);
    for (let i = 0; i < ids.length; i += 1000) {
      await database.db.insert(customers).values(ids.slice(i, i + 1000).map((externalId) => ({ externalId })));
    }
  });
  afterAll(async () => {
    await database?.close();
  });

  const rowsOf = async (version?: string) =>
    Number((await database.db.select({ n: count() }).from(customerScores).where(version ? eq(customerScores.modelVersion, version) : sql`true`))[0]!.n);

  it('writes every known customer and skips unknown ids', async () => {
    const result = await writeCustomerScores(database, table, 'v1', 'data', { chunkRows: 1000 });
    expect(result).toMatchObject({ written: 3361, keptNewer: 0, unknownCustomers: 1 });
    expect(await rowsOf('v1')).toBe(3361);
    const [stored] = await database.db
      .select()
      .from(customerScores)
      .innerJoin(customers, eq(customers.id, customerScores.customerId))
      .where(eq(customers.externalId, table.customerIds[5]!));
    const expected = table.row(5);
    expect(stored!.customer_scores.churnProbability).toBeCloseTo(expected.churnProbability, 5);
    expect(stored!.customer_scores.riskTier).toBe(expected.riskTier);
    expect(stored!.customer_scores.segment).toBe(expected.segment);
    expect(stored!.customer_scores.reasons).toEqual(expected.reasons);
  });

  it('replaces the previous scores on re-scoring', async () => {
    await writeCustomerScores(database, table, 'v2', 'data', { chunkRows: 700 });
    expect(await rowsOf()).toBe(3361);
    expect(await rowsOf('v2')).toBe(3361);
  });

  it('keeps the previous scores when a run fails half-way', async () => {
    function* failing() {
      yield [table.row(1), table.row(2)];
      throw new Error('scoring crashed');
    }
    await expect(replaceCustomerScores(database, failing(), { modelVersion: 'v3', clock: 'data', asOf: CUTOFF, population: table.population })).rejects.toThrow(/scoring crashed/);
    expect(await rowsOf('v2')).toBe(3361);
    expect(await rowsOf('v3')).toBe(0);
    // the connection is usable again after the rollback
    await writeCustomerScores(database, table, 'v4', 'data');
    expect(await rowsOf('v4')).toBe(3361);
  });
});

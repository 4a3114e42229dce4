// The churn jobs on purchases stored in the database (PGlite, and PostgreSQL when configured):
// training with --score's path into customer_scores, then re-scoring with the saved model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentVersion } from '../../src/artifacts/store.ts';
import { queryRows, type Database } from '../../src/db/client.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { scoreChurn } from '../../src/jobs/score-customers.ts';
import { formatChurnReport, trainChurn, type TrainChurnResult } from '../../src/jobs/train-churn.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { writeOnlineRetailSlice } from './online-retail-slice.ts';
import { recordingProgress, type RecordingProgress } from './recording-progress.ts';

const DAY_MS = 86_400_000;
/** Online Retail to 2011-02-23: scored at 2011-02-01 with a 30-day horizon, the rest is a holdout. */
const LINES = 100_000;
const CUTOFF = Date.parse('2011-02-01T00:00:00Z');
const TRAINING = { horizonDays: 30, windows: 2, windowStepDays: 15, net: { hiddenUnits: 0, seeds: [1] } };

let dir: string;
let slice: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retain-train-churn-'));
  slice = join(dir, 'slice.csv');
  await writeOnlineRetailSlice(slice, LINES);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(testEngines())('churn jobs on the database (%s)', (engine) => {
  let database: Database;
  let modelsDir: string;
  let result: TrainChurnResult;
  let progress: RecordingProgress;

  /** Customers with a purchase before `before`, and how many stored score rows disagree with their recency at `asOf`. */
  const scoredAgainstPurchases = async (before: number, asOf: number) => {
    const [row] = await queryRows<{ customers: number; scored: number; wrong: number; versions: number }>(
      database.db,
      sql`WITH last AS (SELECT customer_id, max(occurred_at) AS at FROM purchases WHERE kind = 'purchase' AND occurred_at < ${new Date(before).toISOString()} GROUP BY customer_id)
          SELECT (SELECT count(*)::int FROM last) AS customers,
                 (SELECT count(*)::int FROM customer_scores) AS scored,
                 (SELECT count(DISTINCT model_version)::int FROM customer_scores) AS versions,
                 (SELECT count(*)::int FROM customer_scores s LEFT JOIN last l ON l.customer_id = s.customer_id
                  WHERE l.at IS NULL OR abs(s.recency_days - extract(epoch FROM (${new Date(asOf).toISOString()}::timestamptz - l.at)) / 86400) > 0.001) AS wrong`,
    );
    return row!;
  };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const summary = await importPurchases(database, slice, { format: 'online-retail' });
    expect(summary.purchases).toBeGreaterThan(60_000);
    modelsDir = join(dir, `models-${engine}`);
    progress = recordingProgress();
    result = await trainChurn({ source: { database }, cutoff: CUTOFF, training: TRAINING, modelsDir, scoreInto: database }, progress);
  }, 240_000);

  afterAll(async () => {
    await database?.close();
  });

  it('saves the model as CURRENT, fitted for the cutoff, with a backtest over the customers stored before it', async () => {
    expect(await currentVersion(modelsDir, 'churn')).toBe(result.manifest.version);
    expect(result.manifest.dataWindow.to).toBe(new Date(CUTOFF).toISOString());
    expect(result.training.trainingWindows.map((w) => w.cutoff)).toEqual([CUTOFF - 30 * DAY_MS, CUTOFF - 45 * DAY_MS]);
    const { customers } = await scoredAgainstPurchases(CUTOFF, CUTOFF);
    expect(customers).toBeGreaterThan(1000);
    expect(result.backtest?.customers).toBe(customers);
    const report = formatChurnReport(result);
    expect(report).toContain(`churn model ${result.manifest.version} (horizon 30 days, 1 members, hidden 0)`);
    expect(report).toContain(`backtest: scored at 2011-02-01, holdout to 2011-02-24: ${customers} customers`);
  });

  it('scores every customer who bought before the cutoff into customer_scores, at the cutoff', async () => {
    const check = await scoredAgainstPurchases(CUTOFF, CUTOFF);
    expect(result.scores).toMatchObject({ written: check.customers, unknownCustomers: 0, modelVersion: result.manifest.version, asOf: CUTOFF });
    const { high, medium, low } = result.scores!.riskCounts;
    expect(high + medium + low).toBe(check.customers);
    expect(check).toMatchObject({ scored: check.customers, versions: 1, wrong: 0 });
  });

  it('reports the windows, the ensemble and the score rows as stages', () => {
    expect(progress.stages.map((s) => s.label)).toEqual(['building training windows', 'training churn ensemble', 'writing customer scores']);
    const [windows, ensemble, writing] = progress.stages;
    expect(windows!.updates.at(-1)).toBe(2);
    expect(ensemble!.total).toBe(1);
    expect(writing).toMatchObject({ total: result.scores!.written, unit: 'rows' });
    expect(writing!.updates.at(-1)).toBe(result.scores!.written);
  });

  it('re-scores every stored customer with the saved model, by default at midnight after the last purchase', async () => {
    const [last] = await queryRows<{ t: number }>(database.db, sql`SELECT (extract(epoch FROM max(occurred_at)) * 1000)::float8 AS t FROM purchases WHERE kind = 'purchase'`);
    const asOf = Math.floor(last!.t / DAY_MS + 1) * DAY_MS;
    const stored = await scoreChurn(database, { modelsDir });
    expect(stored.asOf).toBe(asOf);
    const check = await scoredAgainstPurchases(asOf, asOf);
    expect(check.customers).toBeGreaterThan(result.scores!.written);
    expect(stored).toMatchObject({ written: check.customers, unknownCustomers: 0, modelVersion: result.manifest.version });
    expect(check).toMatchObject({ scored: check.customers, versions: 1, wrong: 0 });
  }, 120_000);

  it('refuses a model version that does not exist and leaves the scores alone', async () => {
    await expect(scoreChurn(database, { modelsDir, version: '19990101T000000000Z' })).rejects.toThrow();
    const [row] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM customer_scores`);
    expect(row!.n).toBeGreaterThan(result.scores!.written);
  });
});

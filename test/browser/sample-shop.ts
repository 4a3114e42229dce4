// The bundled sample shop, ready to serve: UCI Online Retail imported into an in-memory PGlite,
// an EASE recommender (λ 500, as `npm start` trains it), a churn model trained with the Online
// Retail protocol's cutoff (so its manifest holds a backtest) on one seed to keep this cheap, and
// every customer scored at the data's end. Used by the browser test and the dashboard benchmark.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase, type Database } from '../../src/db/client.ts';
import { loadPurchaseLog } from '../../src/db/queries/purchase-log.ts';
import { seedSampleIfEmpty } from '../../src/jobs/seed-sample.ts';
import { createLogger } from '../../src/logger.ts';
import { lastPurchaseTime } from '../../src/ml/churn/windows.ts';
import { DAY_MS } from '../../src/ml/customers/purchase-log.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { writeCustomerScores } from '../../src/jobs/score-customers.ts';
import { scoreCustomers } from '../../src/services/customer-scoring.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';
import { trainChurn } from '../../src/jobs/train-churn.ts';
import { trainRecommender } from '../../src/jobs/train-recommender.ts';

export interface SampleShop {
  database: Database;
  modelsDir: string;
  runtime: ServiceRuntime;
  /** Version of the churn model trained first (active), and of a second one (not active). */
  churnVersions: [string, string];
  close(): Promise<void>;
}

export async function openSampleShop(log: (line: string) => void = () => {}): Promise<SampleShop> {
  const started = performance.now();
  const step = (what: string) => log(`${what}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await initTf();
  const database = await openDatabase({ dataDir: 'memory' });
  await migrate(database);
  await seedSampleIfEmpty(database, { sampleDataDir: 'data/online-retail' });
  step('sample imported');
  const purchases = await loadPurchaseLog(database.db);
  const modelsDir = await mkdtemp(join(tmpdir(), 'retain-dashboard-'));
  await trainRecommender({ source: { database }, modelsDir, model: { algorithm: 'ease', lambda: 500 } });
  step('recommender trained');
  const training = { horizonDays: 92, net: { seeds: [1] } };
  const first = await trainChurn({ source: { log: purchases }, modelsDir, cutoff: Date.UTC(2011, 8, 9), training });
  // a second version, left inactive, so activation can be tried
  const second = await trainChurn({ source: { log: purchases }, modelsDir, cutoff: Date.UTC(2011, 8, 9), training: { ...training, net: { seeds: [2] } }, activate: false });
  step('churn models trained');
  const asOf = Math.floor(lastPurchaseTime(purchases) / DAY_MS + 1) * DAY_MS;
  await writeCustomerScores(database, scoreCustomers(purchases, first.model, asOf), first.manifest.version, 'data');
  step('customers scored');
  const runtime = new ServiceRuntime({ database, modelsDir, logger: createLogger('silent'), pollMs: 0 });
  await runtime.start();
  return {
    database,
    modelsDir,
    runtime,
    churnVersions: [first.manifest.version, second.manifest.version],
    async close() {
      runtime.stop();
      await database.close();
      await rm(modelsDir, { recursive: true, force: true });
    },
  };
}

// The first-run job behind `retain start`: the bundled sample imported into an empty embedded
// database, then whichever of the recommender and the churn model MODELS_DIR lacks trained (the
// churn model with every customer scored), so the service has something to serve.
import { currentVersion } from '../artifacts/store.ts';
import type { Database } from '../db/client.ts';
import { easeMemoryBytes } from '../ml/cf/ease.ts';
import type { ModelSpec } from '../ml/cf/fit.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { itemCategories, readPurchases } from './purchase-source.ts';
import { seedSampleIfEmpty, type SeedResult } from './seed-sample.ts';
import { trainChurn, type TrainChurnResult } from './train-churn.ts';
import { trainRecommender, type TrainRecommenderResult } from './train-recommender.ts';

export interface FirstRunOptions {
  modelsDir: string;
  /** The bundled sample (SAMPLE_DATA_DIR), imported only into an empty embedded database. */
  sampleDataDir: string;
  /** The importers draw their own bars on stderr (src/import). */
  progressBars?: boolean;
}

export interface FirstRunResult {
  /** Undefined on PostgreSQL: a database given through DATABASE_URL is never seeded. */
  seed?: SeedResult;
  /** The recommender trained (its in-memory model already released: the service loads its own). */
  recommender?: Omit<TrainRecommenderResult, 'model'>;
  churn?: TrainChurnResult;
}

/** Above this, EASE's item × item matrix is too big for a first run: iALS instead. */
const EASE_LIMIT_BYTES = 1024 ** 3;

/** The first run's ensemble (the default seeds of `retain train churn`). */
const FIRST_RUN_SEEDS = [1, 2, 3, 4, 5];

export async function firstRun(database: Database, options: FirstRunOptions, progress: JobProgress = silentProgress): Promise<FirstRunResult> {
  const result: FirstRunResult = {};
  if (database.engine === 'pglite') {
    result.seed = await seedSampleIfEmpty(database, { sampleDataDir: options.sampleDataDir, ...(options.progressBars === undefined ? {} : { progressBars: options.progressBars }) });
    if (result.seed.seeded) progress.info(`imported the bundled sample from ${options.sampleDataDir}`, { items: result.seed.items, customers: result.seed.customers, purchases: result.seed.purchases });
  }
  const needRecommender = (await currentVersion(options.modelsDir, 'recommender')) === undefined;
  const needChurn = (await currentVersion(options.modelsDir, 'churn')) === undefined;
  if (!needRecommender && !needChurn) return result;
  const log = await readPurchases({ database });
  if (log.customer.length === 0) {
    progress.warn('no purchases in the database yet: import some (retain import purchases FILE), then run retain train recommender / retain train churn --score');
    return result;
  }
  if (needRecommender) {
    // The Online Retail protocol's choice (REFERENCE.md); `retain train recommender` runs the full selection.
    const spec: ModelSpec = easeMemoryBytes(log.itemIds.length) <= EASE_LIMIT_BYTES ? { algorithm: 'ease', lambda: 500 } : { algorithm: 'als' };
    progress.info('no recommender model yet: training one', { model: spec, lines: log.customer.length });
    const { model, ...trained } = await trainRecommender({ source: { log }, modelsDir: options.modelsDir, model: spec, categories: await itemCategories(database) }, progress);
    model.dispose();
    result.recommender = trained;
    progress.info('recommender trained and active', { version: trained.manifest.version, ndcgAt10: Number(trained.test.ndcg.toFixed(5)) });
  }
  if (needChurn) {
    progress.info('no churn model yet: training one');
    result.churn = await trainChurn({ source: { log }, modelsDir: options.modelsDir, training: { net: { seeds: FIRST_RUN_SEEDS } }, scoreInto: database }, progress);
    const { written, unknownCustomers, riskCounts } = result.churn.scores!;
    progress.info('churn model trained; customers scored', { version: result.churn.manifest.version, written, unknownCustomers, riskCounts });
  }
  return result;
}

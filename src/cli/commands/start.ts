// `retain start` (= `npm start`): the first-run path. Embedded database unless DATABASE_URL is set,
// the bundled sample imported only into an empty embedded database, models trained when none
// exist, then the HTTP service (as `retain serve`).
import { parseArgs } from 'node:util';
import { currentVersion } from '../../artifacts/store.ts';
import { loadConfig, type Config } from '../../config.ts';
import { migrate, openDatabase, type Database } from '../../db/client.ts';
import { allCatalogRows } from '../../db/queries/items.ts';
import { loadPurchaseLog } from '../../db/queries/purchase-log.ts';
import { seedSampleIfEmpty } from '../../db/seed.ts';
import { createLogger, type Logger } from '../../logger.ts';
import { easeMemoryBytes } from '../../ml/cf/ease.ts';
import type { ModelSpec } from '../../ml/cf/fit.ts';
import type { PurchaseLog } from '../../ml/customers/purchase-log.ts';
import { initTf } from '../../ml/numeric/tf.ts';
import { createProgress, type Progress } from '../../progress.ts';
import { scoreCustomers, writeCustomerScores } from '../../services/churn-scoring.ts';
import { trainChurn } from '../../../training/train-churn.ts';
import { trainRecommender } from '../../../training/train-recommender.ts';
import { serveDatabase } from './serve.ts';

const HELP = `usage: retain start [--port N] [--host ADDR]

First run in one command: opens the database (DATABASE_URL, else embedded PGlite in PGLITE_DIR),
applies migrations, imports the bundled Online Retail sample if the embedded database is empty
(never into DATABASE_URL), trains the recommender and the churn model if MODELS_DIR has none
(and scores every customer), then serves the HTTP API as 'retain serve' does.

  --port N      default PORT (8080)
  --host ADDR   default HOST (127.0.0.1)
`;

/** Above this, EASE's item × item matrix is too big for a first run: iALS instead. */
const EASE_LIMIT_BYTES = 1024 ** 3;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, host: { type: 'string' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
  try {
    await migrate(database);
    logger.info({ engine: database.engine, ...(database.engine === 'pglite' ? { dataDir: config.PGLITE_DIR } : {}) }, 'database ready');
    if (database.engine === 'pglite') {
      const seed = await seedSampleIfEmpty(database, config, { progress: true });
      if (seed.seeded) logger.info({ items: seed.items, customers: seed.customers, purchases: seed.purchases }, `imported the bundled sample from ${config.SAMPLE_DATA_DIR}`);
    }
    await trainMissingModels(database, config, logger);
  } catch (err) {
    await database.close();
    throw err;
  }
  return serveDatabase(database, config, logger, { port: values.port, host: values.host });
}

async function trainMissingModels(database: Database, config: Config, logger: Logger): Promise<void> {
  const needRecommender = (await currentVersion(config.MODELS_DIR, 'recommender')) === undefined;
  const needChurn = (await currentVersion(config.MODELS_DIR, 'churn')) === undefined;
  if (!needRecommender && !needChurn) return;
  logger.info({ backend: await initTf() }, 'tensorflow.js backend');
  const log = await loadPurchaseLog(database.db);
  if (log.customer.length === 0) {
    logger.warn('no purchases in the database yet: import some (retain import purchases FILE), then run retain train recommender / retain train churn --score');
    return;
  }
  if (needRecommender) await trainFirstRecommender(database, config, logger, log);
  if (needChurn) await trainFirstChurnModel(database, config, logger, log);
}

async function trainFirstRecommender(database: Database, config: Config, logger: Logger, log: PurchaseLog): Promise<void> {
  // The Online Retail protocol's choice (REFERENCE.md); `retain train recommender` runs the full selection.
  const spec: ModelSpec = easeMemoryBytes(log.itemIds.length) <= EASE_LIMIT_BYTES ? { algorithm: 'ease', lambda: 500 } : { algorithm: 'als' };
  const categories = new Map((await allCatalogRows(database.db)).filter((r) => r.category).map((r) => [r.externalId, r.category!]));
  logger.info({ model: spec, lines: log.customer.length }, 'no recommender model yet: training one');
  let bar: Progress | undefined;
  let stage = '';
  const result = await trainRecommender({
    log,
    modelsDir: config.MODELS_DIR,
    model: spec,
    categories,
    onStage: (s) => {
      bar?.finish();
      bar = undefined;
      stage = s;
      logger.info(s);
    },
    onProgress: (done, total) => {
      bar ??= createProgress({ label: stage, total });
      bar.update(done);
    },
  });
  bar?.finish();
  logger.info({ version: result.manifest.version, ndcgAt10: Number(result.test.ndcg.toFixed(5)) }, 'recommender trained and active');
}

async function trainFirstChurnModel(database: Database, config: Config, logger: Logger, log: PurchaseLog): Promise<void> {
  logger.info('no churn model yet: training one');
  const seeds = [1, 2, 3, 4, 5];
  const progress = createProgress({ label: 'training churn ensemble', total: seeds.length, unit: 'members' });
  const result = await trainChurn({ log, modelsDir: config.MODELS_DIR, training: { net: { seeds } }, onEpoch: (member) => progress.update(member) });
  progress.finish();
  const table = scoreCustomers(log, result.model, Date.parse(result.manifest.dataWindow.to!));
  const bar = createProgress({ label: 'writing customer scores', total: table.rows, unit: 'rows' });
  const written = await writeCustomerScores(database, table, result.manifest.version, { onRows: (n) => bar.update(n) });
  bar.finish();
  logger.info({ version: result.manifest.version, ...written, riskCounts: table.riskCounts }, 'churn model trained; customers scored');
}

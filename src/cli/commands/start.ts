// `retain start` (= `npm start`): the first-run path. Embedded database unless DATABASE_URL is set,
// the bundled sample imported only into an empty embedded database, models trained when none
// exist (src/jobs/first-run.ts), then the HTTP service (as `retain serve`).
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase, SERVICE_TIMEOUTS } from '../../db/client.ts';
import { countDashboard } from '../../jobs/count-dashboard.ts';
import { firstRun } from '../../jobs/first-run.ts';
import { createLogger } from '../../logger.ts';
import { terminalProgress } from '../job-progress.ts';
import { serveDatabase, serveOptions } from './serve.ts';

const HELP = `usage: retain start [--port N] [--host ADDR]

First run in one command: opens the database (DATABASE_URL, else embedded PGlite in PGLITE_DIR),
applies migrations, imports the bundled Online Retail sample if the embedded database is empty
(never into DATABASE_URL), trains the recommender and the churn model if MODELS_DIR has none
(and scores every customer), then serves the HTTP API as 'retain serve' does.

  --port N      default PORT (8080)
  --host ADDR   default HOST (127.0.0.1)
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, port: { type: 'string' }, host: { type: 'string' } } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const listenOn = serveOptions(config, values);
  let database = await openMigratedDatabase(config);
  try {
    logger.info({ engine: database.engine, ...(database.engine === 'pglite' ? { dataDir: config.PGLITE_DIR } : {}) }, 'database ready');
    const first = await firstRun(database, { modelsDir: config.MODELS_DIR, sampleDataDir: config.SAMPLE_DATA_DIR, progressBars: true }, terminalProgress(logger));
    // a fresh shop: count the dashboard's summaries now rather than on its first page view
    if (first.seed?.seeded || first.churn) logger.info(await countDashboard(database), 'dashboard summaries counted');
  } catch (err) {
    await database.close();
    throw err;
  }
  // the first run's jobs may run long statements; the service's pool fails fast instead
  if (database.engine === 'postgres') {
    await database.close();
    database = await openMigratedDatabase(config, SERVICE_TIMEOUTS);
  }
  return serveDatabase(database, config, logger, listenOn);
}

// `retain score churn`: re-scores every customer with the active churn model over the purchases in
// the database, and replaces customer_scores in one transaction.
import { parseArgs } from 'node:util';
import { loadChurnModel } from '../../artifacts/codecs/churn.ts';
import { loadConfig } from '../../config.ts';
import { migrate, openDatabase } from '../../db/client.ts';
import { loadPurchaseLog } from '../../db/queries/purchase-log.ts';
import { ValidationError } from '../../errors.ts';
import { parseTimestamp } from '../../import/purchase-row.ts';
import { createLogger } from '../../logger.ts';
import { lastPurchaseTime } from '../../ml/churn/windows.ts';
import { DAY_MS } from '../../ml/customers/purchase-log.ts';
import { initTf } from '../../ml/numeric/tf.ts';
import { createProgress } from '../../progress.ts';
import { scoreCustomers, writeCustomerScores } from '../../services/churn-scoring.ts';

const HELP = `usage: retain score churn [--as-of DATE] [--version V]

Scores every customer with a purchase before --as-of (default: midnight after the last purchase in
the database) with the churn model in MODELS_DIR (CURRENT, or --version), and replaces
customer_scores atomically. Database: DATABASE_URL, else PGlite in PGLITE_DIR.
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, 'as-of': { type: 'string' }, version: { type: 'string' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const asOfArg = values['as-of'] === undefined ? undefined : parseTimestamp(values['as-of']);
  if (asOfArg !== undefined && !Number.isFinite(asOfArg)) throw new ValidationError(`--as-of '${values['as-of']}' is not a date (YYYY-MM-DD)`);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logger.info({ backend: await initTf() }, 'tensorflow.js backend');
  const model = await loadChurnModel(config.MODELS_DIR, values.version);
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
  try {
    await migrate(database);
    const log = await loadPurchaseLog(database.db, asOfArg === undefined ? {} : { before: new Date(asOfArg) });
    const last = lastPurchaseTime(log);
    if (Number.isNaN(last)) throw new ValidationError('no purchases in the database before the scoring date: import some first');
    const asOf = asOfArg ?? Math.floor(last / DAY_MS + 1) * DAY_MS;
    const table = scoreCustomers(log, model, asOf);
    const bar = createProgress({ label: 'writing customer scores', total: table.rows, unit: 'rows' });
    const result = await writeCustomerScores(database, table, model.manifest.version, { onRows: (n) => bar.update(n) });
    bar.finish();
    logger.info({ ...result, riskCounts: table.riskCounts, modelVersion: model.manifest.version, asOf: new Date(asOf).toISOString() }, 'customer scores replaced');
    return 0;
  } finally {
    await database.close();
  }
}

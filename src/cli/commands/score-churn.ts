// `retain score churn`: re-scores every customer with the active churn model over the purchases in
// the database, and replaces customer_scores in one transaction.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase } from '../../db/client.ts';
import { countDashboard } from '../../jobs/count-dashboard.ts';
import { scoreChurn } from '../../jobs/score-customers.ts';
import { createLogger } from '../../logger.ts';
import { date } from '../flags.ts';
import { printDashboardCount } from '../dashboard-count.ts';
import { terminalProgress } from '../job-progress.ts';

const HELP = `usage: retain score churn [--as-of now|data|DATE] [--version V]

Scores every customer with a purchase before --as-of with the churn model in MODELS_DIR (CURRENT,
or --version), records the run (scoring_runs) and replaces customer_scores atomically, keeping rows
scored live from purchases the run did not see; then brings the dashboard's stored summaries up to
date. --as-of: now (a live shop), data (the default: midnight after the last purchase in the
database, for a historical data set such as the sample), or a date. Purchases stored later re-score
their customer on the same clock. Database: DATABASE_URL, else PGlite in PGLITE_DIR.
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
  const flag = values['as-of'];
  const asOf = flag === undefined || flag === 'now' || flag === 'data' ? flag : date('--as-of', flag);
  const config = loadConfig();
  const progress = terminalProgress(createLogger(config.LOG_LEVEL));
  const database = await openMigratedDatabase(config);
  try {
    await scoreChurn(database, { modelsDir: config.MODELS_DIR, ...(values.version === undefined ? {} : { version: values.version }), ...(asOf === undefined ? {} : { asOf }) }, progress);
    printDashboardCount(await countDashboard(database));
    return 0;
  } finally {
    await database.close();
  }
}


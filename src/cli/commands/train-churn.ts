// `retain train churn`: trains the churn classifier, prints the backtest report, saves the artifact,
// and optionally scores every customer into the database.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../config.ts';
import { migrate, openDatabase } from '../../db/client.ts';
import { loadPurchaseLog } from '../../db/queries/purchase-log.ts';
import { ValidationError } from '../../errors.ts';
import { readPurchaseLog } from '../../import/read-purchase-log.ts';
import { parseTimestamp, type PurchaseFormat } from '../../import/purchase-row.ts';
import { createLogger } from '../../logger.ts';
import { defaultChurnNetOptions as N } from '../../ml/churn/model.ts';
import { defaultChurnTrainingOptions as T, type ChurnTrainingOptions } from '../../ml/churn/train.ts';
import type { PurchaseLog } from '../../ml/customers/purchase-log.ts';
import { initTf } from '../../ml/numeric/tf.ts';
import { createProgress } from '../../progress.ts';
import { scoreCustomers, writeCustomerScores } from '../../services/churn-scoring.ts';
import { formatChurnReport, trainChurn } from '../../../training/train-churn.ts';

const HELP = `usage: retain train churn [--file PATH] [options]

Trains the churn classifier (churn = no order within the horizon after the cutoff) on stacked
windows that end by the cutoff, calibrates it, backtests it when the data reach past the cutoff,
and saves it under MODELS_DIR/churn/ (made CURRENT).

  --file PATH             purchase lines (CSV, .gz ok); default: the purchases in the database
  --format F              canonical (default) | online-retail
  --cutoff DATE           scoring moment, YYYY-MM-DD (UTC); default: midnight after the last order.
                          Online Retail protocol: --cutoff 2011-09-09 --horizon-days 92
  --horizon-days N        churn horizon (default ${T.horizonDays})
  --windows N             stacked training windows (default ${T.windows})
  --window-step-days N    days between training windows (default ${T.windowStepDays})
  --hidden N              hidden units, 0 = logistic regression (default ${N.hiddenUnits})
  --l2 X                  L2 penalty (default ${N.l2})
  --seeds LIST            ensemble seeds, comma-separated (default ${N.seeds.join(',')})
  --score                 then score every customer at the cutoff into the database
                          (DATABASE_URL, else PGlite in PGLITE_DIR) and replace customer_scores
  --json                  print the artifact manifest (with all metrics) as JSON instead of the report
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      file: { type: 'string' },
      format: { type: 'string', default: 'canonical' },
      cutoff: { type: 'string' },
      'horizon-days': { type: 'string' },
      windows: { type: 'string' },
      'window-step-days': { type: 'string' },
      hidden: { type: 'string' },
      l2: { type: 'string' },
      seeds: { type: 'string' },
      score: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.format !== 'canonical' && values.format !== 'online-retail') throw new ValidationError(`--format must be canonical or online-retail, got '${values.format}'`);
  const cutoff = values.cutoff === undefined ? undefined : parseTimestamp(values.cutoff);
  if (cutoff !== undefined && !Number.isFinite(cutoff)) throw new ValidationError(`--cutoff '${values.cutoff}' is not a date (YYYY-MM-DD)`);
  const seeds = values.seeds?.split(',').map((s) => positive('--seeds', s, true)) ?? N.seeds;
  const training: Partial<ChurnTrainingOptions> = {
    ...(values['horizon-days'] === undefined ? {} : { horizonDays: positive('--horizon-days', values['horizon-days']) }),
    ...(values.windows === undefined ? {} : { windows: positive('--windows', values.windows, true) }),
    ...(values['window-step-days'] === undefined ? {} : { windowStepDays: positive('--window-step-days', values['window-step-days']) }),
    net: {
      seeds,
      ...(values.hidden === undefined ? {} : { hiddenUnits: nonNegative('--hidden', values.hidden, true) }),
      ...(values.l2 === undefined ? {} : { l2: nonNegative('--l2', values.l2) }),
    },
  };
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logger.info({ backend: await initTf() }, 'tensorflow.js backend');

  const log = values.file ? (await readPurchaseLog(values.file, values.format as PurchaseFormat)).log : await purchasesFromDatabase(config);
  const windows = createProgress({ label: 'building training windows', unit: 'windows' });
  const progress = createProgress({ label: 'training churn ensemble', total: seeds.length, unit: 'members' });
  const result = await trainChurn({
    log,
    ...(cutoff === undefined ? {} : { cutoff }),
    modelsDir: config.MODELS_DIR,
    training,
    onWindow: (k) => windows.update(k),
    onEpoch: (member) => progress.update(member),
  });
  windows.finish();
  progress.finish();
  process.stdout.write(values.json ? `${JSON.stringify(result.manifest, null, 2)}\n` : formatChurnReport(result));

  if (values.score) {
    const asOf = Date.parse(result.manifest.dataWindow.to!);
    const table = scoreCustomers(log, result.model, asOf);
    const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
    try {
      await migrate(database);
      const bar = createProgress({ label: 'writing customer scores', total: table.rows, unit: 'rows' });
      const written = await writeCustomerScores(database, table, result.manifest.version, { onRows: (n) => bar.update(n) });
      bar.finish();
      logger.info({ ...written, riskCounts: table.riskCounts, modelVersion: result.manifest.version }, 'customer scores replaced');
    } finally {
      await database.close();
    }
  }
  return 0;
}

async function purchasesFromDatabase(config: Config): Promise<PurchaseLog> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
  try {
    await migrate(database);
    return await loadPurchaseLog(database.db);
  } finally {
    await database.close();
  }
}

function positive(flag: string, s: string, integer = false): number {
  const v = Number(s);
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new ValidationError(`${flag} must be a positive ${integer ? 'whole ' : ''}number, got '${s}'`);
  return v;
}

function nonNegative(flag: string, s: string, integer = false): number {
  const v = Number(s);
  if (!(v >= 0) || (integer && !Number.isInteger(v))) throw new ValidationError(`${flag} must be a ${integer ? 'whole ' : ''}number ≥ 0, got '${s}'`);
  return v;
}

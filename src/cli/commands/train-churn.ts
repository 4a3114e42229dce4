// `retain train churn`: trains the churn classifier, prints the backtest report, saves the artifact,
// and optionally scores every customer into the database.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderChurnReportHtml } from '../../api/dashboard/churn-report.ts';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase, type Database } from '../../db/client.ts';
import { CHURN_DEFAULTS, formatChurnReport, trainChurn } from '../../jobs/train-churn.ts';
import { createLogger } from '../../logger.ts';
import type { ChurnTrainingOptions } from '../../ml/churn/train.ts';
import { date, defined, number, optionalNumber, purchaseFormat } from '../flags.ts';
import { terminalProgress } from '../job-progress.ts';

const T = CHURN_DEFAULTS;
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
  --hidden N              hidden units, 0 = logistic regression (default ${T.hiddenUnits})
  --l2 X                  L2 penalty (default ${T.l2})
  --seeds LIST            ensemble seeds, comma-separated (default ${T.seeds.join(',')})
  --follow-base-rate      move the calibration to the churn rate the customers at the cutoff imply
                          (for a churn rate that moves with the season at a steady clientele; off
                          by default: wrong when the rate moves because the customers changed)
  --score                 then score every customer at the cutoff into the database
                          (DATABASE_URL, else PGlite in PGLITE_DIR) and replace customer_scores
  --json                  print the artifact manifest (with all metrics) as JSON instead of the report
  --report FILE.html      also write the backtest as a self-contained HTML report (charts inlined)
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
      'follow-base-rate': { type: 'boolean', default: false },
      score: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = purchaseFormat(values.format);
  const cutoff = values.cutoff === undefined ? undefined : date('--cutoff', values.cutoff);
  const training: Partial<ChurnTrainingOptions> = {
    ...defined({
      horizonDays: optionalNumber('--horizon-days', values['horizon-days']),
      windows: optionalNumber('--windows', values.windows, { integer: true }),
      windowStepDays: optionalNumber('--window-step-days', values['window-step-days']),
    }),
    followBaseRate: values['follow-base-rate'],
    net: {
      seeds: values.seeds?.split(',').map((s) => number('--seeds', s, { integer: true })) ?? [...T.seeds],
      ...defined({ hiddenUnits: optionalNumber('--hidden', values.hidden, { integer: true, zero: true }), l2: optionalNumber('--l2', values.l2, { zero: true }) }),
    },
  };
  const config = loadConfig();
  const progress = terminalProgress(createLogger(config.LOG_LEVEL));
  // the database is opened only when it is read or written
  const database: Database | undefined = values.file === undefined || values.score ? await openMigratedDatabase(config) : undefined;
  try {
    const result = await trainChurn(
      {
        source: values.file === undefined ? { database: database! } : { file: values.file, format },
        ...(cutoff === undefined ? {} : { cutoff }),
        modelsDir: config.MODELS_DIR,
        training,
        ...(values.score ? { scoreInto: database! } : {}),
      },
      progress,
    );
    if (values.report !== undefined) await writeFile(values.report, await renderChurnReportHtml(result.manifest));
    process.stdout.write(values.json ? `${JSON.stringify(result.manifest, null, 2)}\n` : formatChurnReport(result));
    return 0;
  } finally {
    await database?.close();
  }
}

// `retain train recommender`: selects and trains the recommender from the database (or a file),
// prints its holdout metrics, and saves the artifact under MODELS_DIR/recommender/ (made CURRENT).
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase, type Database } from '../../db/client.ts';
import { trainRecommender, type TrainRecommenderResult } from '../../jobs/train-recommender.ts';
import { createLogger } from '../../logger.ts';
import { date, MODEL_OPTIONS, modelChoice, number, optionalNumber, purchaseFormat, selectionFlags } from '../flags.ts';
import { terminalProgress } from '../job-progress.ts';
import { specLabel } from '../../jobs/evaluate.ts';
import { validationTable } from '../validation-table.ts';

const HELP = `usage: retain train recommender [--file PATH [--format F]] [options]

Chooses the model (auto: by nDCG@k on validation folds before the holdout, every candidate
printed with its mean ± spread), measures it on a holdout,
refits it on all data, precomputes the lists the service serves from, and saves the artifact
under MODELS_DIR/recommender/ (made CURRENT). Reads the purchase history from the database
(DATABASE_URL, else PGlite in PGLITE_DIR; item categories from the catalog) unless --file is given.

  --file PATH           purchase lines (CSV, .gz ok) instead of the database
  --format F            canonical (default) | online-retail
  --cutoff DATE         holdout starts here (default: 92 days before the last purchase)
  --inner-cutoff DATE   latest validation window starts here (default: 92 days before the cutoff)
  --validation V        time (default, as the holdout is a later window) | random (holdouts of
                        a quarter of each customer's pairs) | auto (= time here)
  --folds N             validation folds (default 2: windows from the inner cutoff and 46 days before)
  --model M             auto (default) | ease | als | knn | rp3beta | popularity, with the settings
                        of 'retain evaluate --help' (--lambda, --factors, --iterations, --reg, ...)
  --als-budget N        random iALS settings tried by auto (default 2)
  --candidates N        recommendations cached per customer (default 100)
  --k N                 list length for selection and metrics (default 10)
  --json                print the manifest as JSON
`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', short: 'h' },
      file: { type: 'string' },
      format: { type: 'string', default: 'canonical' },
      cutoff: { type: 'string' },
      candidates: { type: 'string' },
      ...MODEL_OPTIONS,
      k: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const format = purchaseFormat(values.format);
  const model = modelChoice(values);
  const k = number('--k', values.k, { integer: true });
  const cutoff = values.cutoff ? date('--cutoff', values.cutoff) : undefined;
  const candidates = optionalNumber('--candidates', values.candidates, { integer: true, zero: true });
  const config = loadConfig();
  const progress = terminalProgress(createLogger(config.LOG_LEVEL));
  const database: Database | undefined = values.file === undefined ? await openMigratedDatabase(config) : undefined;
  let result: TrainRecommenderResult;
  try {
    result = await trainRecommender(
      {
        source: database ? { database } : { file: values.file!, format },
        modelsDir: config.MODELS_DIR,
        model,
        k,
        ...(cutoff === undefined ? {} : { cutoff }),
        ...selectionFlags(values),
        ...(candidates === undefined ? {} : { candidatesPerCustomer: candidates }),
      },
      progress,
    );
  } finally {
    await database?.close();
  }
  result.model.dispose();
  const t = result.test;
  process.stdout.write(
    values.json
      ? `${JSON.stringify(result.manifest, null, 2)}\n`
      : (result.selection && result.validation ? `${validationTable({ ...result.selection, validation: { ...result.validation, folds: result.selection.folds } }, k)}\n` : '') +
          `recommender ${result.manifest.version} (${specLabel(result.spec)}) saved and active\n` +
          `holdout from ${String((result.manifest.metrics.test as { cutoff: string }).cutoff).slice(0, 10)}: ${t.users} customers, ` +
          `precision@${t.k} ${t.precision.toFixed(5)}, recall@${t.k} ${t.recall.toFixed(5)}, ndcg@${t.k} ${t.ndcg.toFixed(5)}, map ${t.map.toFixed(5)}, coverage ${t.coverage.toFixed(4)}\n`,
  );
  return 0;
}

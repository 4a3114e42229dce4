// `retain train recommender`: selects and trains the recommender from the database (or a file),
// prints its holdout metrics, and saves the artifact under MODELS_DIR/recommender/ (made CURRENT).
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { migrate, openDatabase } from '../../db/client.ts';
import { allCatalogRows } from '../../db/queries/items.ts';
import { loadPurchaseLog } from '../../db/queries/purchase-log.ts';
import { ValidationError } from '../../errors.ts';
import { readPurchaseLog } from '../../import/read-purchase-log.ts';
import type { PurchaseFormat } from '../../import/purchase-row.ts';
import { createLogger } from '../../logger.ts';
import type { PurchaseLog } from '../../ml/customers/purchase-log.ts';
import { initTf } from '../../ml/numeric/tf.ts';
import { createProgress, type Progress } from '../../progress.ts';
import { trainRecommender } from '../../../training/train-recommender.ts';
import { date, MODEL_OPTIONS, modelChoice, number } from './evaluate.ts';

const HELP = `usage: retain train recommender [--file PATH [--format F]] [options]

Chooses the model (auto: by nDCG@k on an inner validation window), measures it on a holdout,
refits it on all data, precomputes the lists the service serves from, and saves the artifact
under MODELS_DIR/recommender/ (made CURRENT). Reads the purchase history from the database
(DATABASE_URL, else PGlite in PGLITE_DIR; item categories from the catalog) unless --file is given.

  --file PATH           purchase lines (CSV, .gz ok) instead of the database
  --format F            canonical (default) | online-retail
  --cutoff DATE         holdout starts here (default: 92 days before the last purchase)
  --inner-cutoff DATE   validation window starts here (default: 92 days before the cutoff)
  --model M             auto (default) | ease | als | knn | popularity, with the settings of
                        'retain evaluate --help' (--lambda, --factors, --iterations, --reg, ...)
  --als-budget N        random iALS settings tried by auto (default 4)
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
  if (values.format !== 'canonical' && values.format !== 'online-retail') throw new ValidationError(`--format must be canonical or online-retail, got '${values.format}'`);
  const model = modelChoice(values);
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  logger.info({ backend: await initTf() }, 'tensorflow.js backend');
  const { log, categories } = values.file ? { log: (await readPurchaseLog(values.file, values.format as PurchaseFormat)).log, categories: undefined } : await fromDatabase(config);
  if (log.customer.length === 0) throw new ValidationError('no purchases to train on');
  let bar: Progress | undefined;
  let stage = '';
  const result = await trainRecommender({
    log,
    modelsDir: config.MODELS_DIR,
    model,
    k: number('--k', values.k, { integer: true }),
    ...(values.cutoff ? { cutoff: date('--cutoff', values.cutoff) } : {}),
    ...(values['inner-cutoff'] ? { innerCutoff: date('--inner-cutoff', values['inner-cutoff']) } : {}),
    ...(values['als-budget'] ? { alsBudget: number('--als-budget', values['als-budget'], { integer: true, zero: true }) } : {}),
    ...(values.candidates ? { candidatesPerCustomer: number('--candidates', values.candidates, { integer: true, zero: true }) } : {}),
    ...(categories ? { categories } : {}),
    onStage: (s) => {
      bar?.finish();
      bar = undefined;
      stage = s;
      logger.info(s);
    },
    onTrial: (t) => logger.info({ spec: t.spec, ndcg: Number(t.report.ndcg.toFixed(5)), fitSeconds: Number(t.fitSeconds.toFixed(2)) }, 'validation trial'),
    onProgress: (done, total) => {
      bar ??= createProgress({ label: stage, total });
      bar.update(done);
    },
  });
  bar?.finish();
  for (const reason of result.selection?.skipped ?? []) logger.warn(`skipped ${reason}`);
  const t = result.test;
  process.stdout.write(
    values.json
      ? `${JSON.stringify(result.manifest, null, 2)}\n`
      : `recommender ${result.manifest.version} (${result.spec.algorithm}) saved and active\n` +
          `holdout from ${String((result.manifest.metrics.test as { cutoff: string }).cutoff).slice(0, 10)}: ${t.users} customers, ` +
          `precision@${t.k} ${t.precision.toFixed(5)}, recall@${t.k} ${t.recall.toFixed(5)}, ndcg@${t.k} ${t.ndcg.toFixed(5)}, map ${t.map.toFixed(5)}, coverage ${t.coverage.toFixed(4)}\n`,
  );
  return 0;
}

async function fromDatabase(config: ReturnType<typeof loadConfig>): Promise<{ log: PurchaseLog; categories: Map<string, string> }> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
  try {
    await migrate(database);
    const log = await loadPurchaseLog(database.db);
    const categories = new Map((await allCatalogRows(database.db)).filter((r) => r.category).map((r) => [r.externalId, r.category!]));
    return { log, categories };
  } finally {
    await database.close();
  }
}

// `retain evaluate`: offline evaluation of a recommender, on a purchase log split at a time cutoff
// or on explicit train/test interaction files, with the metrics of microsoft/recommenders.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { evaluateRecommender, specLabel, type EvaluateResult, type EvaluationData } from '../../jobs/evaluate.ts';
import { createLogger } from '../../logger.ts';
import { date, MODEL_OPTIONS, modelChoice, number, purchaseFormat, selectionFlags } from '../flags.ts';
import { terminalProgress } from '../job-progress.ts';
import { validationTable } from '../validation-table.ts';

const HELP = `usage: retain evaluate (--file PATH --cutoff DATE | --train PATH --test PATH) [options]

Trains a recommender on the training part and scores its top-k for every test customer
(REFERENCE.md protocol: relevant = test items the customer did not buy in train and that exist in
train; the customer's own train items are never ranked).

data, either
  --file PATH           purchase lines (CSV, .gz ok), split in time at --cutoff
  --format F            canonical (default) | online-retail
  --cutoff DATE         YYYY-MM-DD (UTC): train before, test from then on (until --end, if given)
  --end DATE            end of the test window (exclusive)
or
  --train PATH --test PATH   interaction files with lines user,item[,timestamp] (a header line
                        starting with 'user' or 'customer' is skipped)

model
  --model M             ease | als | knn | rp3beta | popularity | auto (default auto: chosen by
                        nDCG@k on validation folds inside train, never the test; the output lists
                        every candidate with its mean ± spread over the folds)
  --validation V        how auto validates: time (windows before the end of train), random
                        (holdouts of the test's share of pairs and stratum), or auto (default:
                        time when the test is later than the train, else random; it says which)
  --folds N             validation folds, time windows or repeated holdouts (default 2)
  --inner-cutoff DATE   start of the latest time window (default: 92 days before the train end)
  --als-budget N        random iALS settings tried by auto (default 2)
  --lambda X            EASE L2 penalty (default 500); --half-life D: pairs weighted 2^(-age/D)
  --alpha X --beta X    RP3beta walk exponent and popularity penalty (defaults 1, 0.5)
  --factors N --iterations N --reg X --alpha X --weighting binary|counts|log|recency --solver cg|exact
                        iALS settings (defaults 64, 15, 30, 2, log, cg)
  --neighbours N        item-kNN / RP3beta neighbours (defaults 20 / 100)
  --window-days N       popularity window (default: all time)
  --k N                 list length (default 10)
  --json                print JSON instead of a table
`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  file: { type: 'string' },
  format: { type: 'string', default: 'canonical' },
  cutoff: { type: 'string' },
  end: { type: 'string' },
  train: { type: 'string' },
  test: { type: 'string' },
  k: { type: 'string', default: '10' },
  json: { type: 'boolean', default: false },
  ...MODEL_OPTIONS,
} as const;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const k = number('--k', values.k, { integer: true });
  const model = modelChoice(values);
  const data = evaluationData(values);
  const progress = terminalProgress(createLogger(loadConfig().LOG_LEVEL));
  const result = await evaluateRecommender({ data, model, k, ...selectionFlags(values) }, progress);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatTable(result));
  return 0;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function evaluationData(values: Values): EvaluationData {
  if (values.train || values.test) {
    if (!values.train || !values.test) throw new ValidationError('--train and --test go together');
    if (values.file) throw new ValidationError('use either --file with --cutoff, or --train with --test');
    return { train: values.train, test: values.test };
  }
  if (!values.file || !values.cutoff) throw new ValidationError('give --file PATH --cutoff DATE, or --train PATH --test PATH (see --help)');
  return { file: values.file, format: purchaseFormat(values.format), cutoff: date('--cutoff', values.cutoff), ...(values.end ? { end: date('--end', values.end) } : {}) };
}

function formatTable({ model, report: r, fitSeconds, recommendSeconds, selection }: EvaluateResult): string {
  const rows: [string, string][] = [
    ['model', specLabel(model)],
    ['test users', String(r.users)],
    [`precision@${r.k}`, r.precision.toFixed(5)],
    [`recall@${r.k}`, r.recall.toFixed(5)],
    [`ndcg@${r.k}`, r.ndcg.toFixed(5)],
    [`map@${r.k}`, r.map.toFixed(5)],
    [`coverage@${r.k}`, r.coverage.toFixed(5)],
    ['fit', `${fitSeconds.toFixed(2)} s`],
    ['recommend', `${recommendSeconds.toFixed(2)} s`],
  ];
  const width = Math.max(...rows.map(([a]) => a.length));
  const table = `${rows.map(([a, b]) => `${a.padEnd(width)}  ${b}`).join('\n')}\n`;
  return selection ? `${table}\n${validationTable(selection, r.k)}` : table;
}

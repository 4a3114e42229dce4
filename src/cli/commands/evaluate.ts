// `retain evaluate`: offline evaluation of a recommender, on a purchase log split at a time cutoff
// or on explicit train/test interaction files, with the metrics of microsoft/recommenders.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { ValidationError } from '../../errors.ts';
import { openInput, readCsv } from '../../import/csv.ts';
import { readPurchaseLog } from '../../import/read-purchase-log.ts';
import { parseTimestamp, type PurchaseFormat } from '../../import/purchase-row.ts';
import { createLogger } from '../../logger.ts';
import type { Weighting } from '../../ml/cf/als.ts';
import { fitModel, resolveSpec, type ModelSpec } from '../../ml/cf/fit.ts';
import { evaluateFitted } from '../../ml/cf/offline-evaluation.ts';
import { selectModel } from '../../ml/cf/selection.ts';
import type { RankingReport } from '../../ml/metrics/ranking.ts';
import { DAY_MS, PurchaseLogBuilder, type PurchaseLog } from '../../ml/customers/purchase-log.ts';
import { compactLog, splitByTime } from '../../ml/customers/split.ts';
import { initTf } from '../../ml/numeric/tf.ts';

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
  --model M             ease | als | knn | popularity | auto (default auto: chosen by nDCG@k on an
                        inner validation window inside train, never the test)
  --inner-cutoff DATE   inner validation cutoff for auto (default: 92 days before the train end)
  --als-budget N        random iALS settings tried by auto (default 4)
  --lambda X            EASE L2 penalty (default 500)
  --factors N --iterations N --reg X --alpha X --weighting binary|counts|log|recency --solver cg|exact
                        iALS settings (defaults 64, 15, 30, 2, log, cg)
  --neighbours N        item-kNN neighbours (default 20)
  --window-days N       popularity window (default: all time)
  --k N                 list length (default 10)
  --json                print JSON instead of a table
`;

/** Model choice and hyperparameter flags, shared with `retain train recommender`. */
export const MODEL_OPTIONS = {
  model: { type: 'string', default: 'auto' },
  'inner-cutoff': { type: 'string' },
  'als-budget': { type: 'string' },
  lambda: { type: 'string' },
  factors: { type: 'string' },
  iterations: { type: 'string' },
  reg: { type: 'string' },
  alpha: { type: 'string' },
  weighting: { type: 'string' },
  solver: { type: 'string' },
  neighbours: { type: 'string' },
  'window-days': { type: 'string' },
} as const;

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
  const logger = createLogger(loadConfig().LOG_LEVEL);
  logger.info({ backend: await initTf() }, 'tensorflow.js backend');
  const { train, test } = await loadSplit(values);
  let spec: ModelSpec;
  let selected: unknown;
  if (model === 'auto') {
    const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
    if (!(end > 0)) throw new ValidationError('--model auto needs timestamps in the training data (to split off a validation window)');
    const innerCutoff = values['inner-cutoff'] ? date('--inner-cutoff', values['inner-cutoff']) : Math.floor(end / DAY_MS) * DAY_MS - 91 * DAY_MS;
    const selection = selectModel(train, {
      innerCutoff,
      k,
      ...(values['als-budget'] ? { alsBudget: number('--als-budget', values['als-budget'], { integer: true, zero: true }) } : {}),
      onTrial: (t) => logger.info({ spec: t.spec, ndcg: Number(t.report.ndcg.toFixed(5)), fitSeconds: Number(t.fitSeconds.toFixed(2)) }, 'validation trial'),
    });
    for (const reason of selection.skipped) logger.warn(`skipped ${reason}`);
    spec = selection.best;
    selected = { innerCutoff: new Date(innerCutoff).toISOString(), trials: selection.trials.length, skipped: selection.skipped };
  } else {
    spec = model;
  }
  const fitted = fitModel(train, spec);
  const evaluation = evaluateFitted(fitted, train, test, k);
  const result = { model: resolveSpec(spec), ...(selected ? { selection: selected } : {}), trainCustomers: train.customerIds.length, trainItems: train.itemIds.length, ...evaluation };
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatTable(spec, evaluation.report, evaluation.fitSeconds, evaluation.recommendSeconds));
  return 0;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** The model a command line asks for; shared with `retain train recommender`. */
export function modelChoice(values: Partial<Record<keyof typeof OPTIONS, string | boolean | undefined>>): 'auto' | ModelSpec {
  const s = (name: keyof typeof OPTIONS) => values[name] as string | undefined;
  const opt = <T>(name: keyof typeof OPTIONS, parse: (v: string) => T): T | undefined => (s(name) === undefined ? undefined : parse(s(name)!));
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  switch (s('model') ?? 'auto') {
    case 'auto':
      return 'auto';
    case 'ease':
      return defined({ algorithm: 'ease' as const, lambda: opt('lambda', (v) => number('--lambda', v)) });
    case 'knn':
      return defined({ algorithm: 'knn' as const, neighbours: opt('neighbours', (v) => number('--neighbours', v, { integer: true })) });
    case 'popularity':
      return defined({ algorithm: 'popularity' as const, windowDays: opt('window-days', (v) => number('--window-days', v)) });
    case 'als':
      return defined({
        algorithm: 'als' as const,
        factors: opt('factors', (v) => number('--factors', v, { integer: true })),
        iterations: opt('iterations', (v) => number('--iterations', v, { integer: true })),
        regularization: opt('reg', (v) => number('--reg', v, { zero: true })),
        alpha: opt('alpha', (v) => number('--alpha', v, { zero: true })),
        weighting: opt('weighting', (v) => oneOf<Weighting>('--weighting', v, ['binary', 'counts', 'log', 'recency'])),
        solver: opt('solver', (v) => oneOf('--solver', v, ['cg', 'exact'] as const)),
      });
    default:
      throw new ValidationError(`--model must be ease, als, knn, popularity or auto, got '${s('model')}'`);
  }
}

async function loadSplit(values: Values): Promise<{ train: PurchaseLog; test: PurchaseLog }> {
  if (values.train || values.test) {
    if (!values.train || !values.test) throw new ValidationError('--train and --test go together');
    if (values.file) throw new ValidationError('use either --file with --cutoff, or --train with --test');
    return { train: compactLog(await readInteractions(values.train)), test: await readInteractions(values.test) };
  }
  if (!values.file || !values.cutoff) throw new ValidationError('give --file PATH --cutoff DATE, or --train PATH --test PATH (see --help)');
  const format = oneOf<PurchaseFormat>('--format', values.format, ['canonical', 'online-retail']);
  const { log } = await readPurchaseLog(values.file, format);
  return splitByTime(log, date('--cutoff', values.cutoff), values.end ? date('--end', values.end) : Infinity);
}

/** user,item[,timestamp] lines; a missing timestamp counts as time 0. */
export async function readInteractions(path: string): Promise<PurchaseLog> {
  const builder = new PurchaseLogBuilder();
  let line = 0;
  for await (const record of readCsv(openInput(path))) {
    line++;
    const [user, item, stamp] = record.fields.map((f) => f.trim());
    if (line === 1 && /^(user|customer)/i.test(user ?? '')) continue;
    if (!user || !item) throw new ValidationError(`${path}:${line}: expected user,item[,timestamp]`);
    const time = stamp ? (/^\d+(\.\d+)?$/.test(stamp) ? Number(stamp) * 1000 : parseTimestamp(stamp)) : 0;
    if (!Number.isFinite(time)) throw new ValidationError(`${path}:${line}: '${stamp}' is not a timestamp (unix seconds or ISO 8601)`);
    builder.add(user, item, `${user}@${line}`, 1, 0, time);
  }
  return builder.build();
}

function formatTable(spec: ModelSpec, r: RankingReport, fitSeconds: number, recommendSeconds: number): string {
  const { algorithm, ...settings } = resolveSpec(spec);
  const name = [algorithm, ...Object.entries(settings).filter(([key]) => key !== 'chunkRows').map(([key, v]) => `${key}=${v}`)].join(' ');
  const rows: [string, string][] = [
    ['model', name],
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
  return `${rows.map(([a, b]) => `${a.padEnd(width)}  ${b}`).join('\n')}\n`;
}

export function number(flag: string, s: string, rules: { integer?: boolean; zero?: boolean } = {}): number {
  const v = Number(s);
  const ok = Number.isFinite(v) && (rules.zero ? v >= 0 : v > 0) && (!rules.integer || Number.isInteger(v));
  if (!ok) throw new ValidationError(`${flag} must be a ${rules.zero ? 'non-negative' : 'positive'}${rules.integer ? ' whole' : ''} number, got '${s}'`);
  return v;
}

export function date(flag: string, s: string): number {
  const t = parseTimestamp(s);
  if (!Number.isFinite(t)) throw new ValidationError(`${flag} '${s}' is not a date (YYYY-MM-DD)`);
  return t;
}

function oneOf<T extends string>(flag: string, s: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(s)) throw new ValidationError(`${flag} must be one of ${allowed.join(', ')}, got '${s}'`);
  return s as T;
}

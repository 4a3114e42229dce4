// The offline evaluation job: a recommender trained on the training part of a purchase file split
// in time, or of explicit train/test interaction files, and scored on the test part with the
// metrics of microsoft/recommenders (REFERENCE.md protocol).
import { ValidationError } from '../errors.ts';
import { openInput, readCsv } from '../import/csv.ts';
import { parseTimestamp, type PurchaseFormat } from '../import/purchase-row.ts';
import { readPurchaseLog } from '../import/read-purchase-log.ts';
import { fitModel, resolveSpec, type ModelSpec } from '../ml/cf/fit.ts';
import { evaluateFitted, type Evaluation } from '../ml/cf/offline-evaluation.ts';
import { selectModel } from '../ml/cf/selection.ts';
import { DAY_MS, PurchaseLogBuilder, type PurchaseLog } from '../ml/customers/purchase-log.ts';
import { compactLog, splitByTime } from '../ml/customers/split.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { startTensorflow } from './tensorflow.ts';

export type EvaluationData =
  /** Purchase lines split in time: train before `cutoff`, test in [cutoff, end). */
  | { file: string; format: PurchaseFormat; cutoff: number; end?: number }
  /** Interaction files with lines user,item[,timestamp]. */
  | { train: string; test: string };

export interface EvaluateOptions {
  data: EvaluationData;
  /** 'auto': chosen by nDCG@k on an inner validation window inside train, never the test. */
  model: 'auto' | ModelSpec;
  k: number;
  /** Inner validation cutoff for 'auto' (ms); default 92 days before the train end. */
  innerCutoff?: number;
  alsBudget?: number;
}

export interface EvaluateResult extends Evaluation {
  /** The evaluated model with every default filled in. */
  model: Required<ModelSpec>;
  selection?: { innerCutoff: string; trials: number; skipped: string[] };
  trainCustomers: number;
  trainItems: number;
}

export async function evaluateRecommender(options: EvaluateOptions, progress: JobProgress = silentProgress): Promise<EvaluateResult> {
  const { k } = options;
  await startTensorflow(progress);
  const { train, test } = await loadSplit(options.data);
  let spec: ModelSpec;
  let selection: EvaluateResult['selection'];
  if (options.model === 'auto') {
    const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
    if (!(end > 0)) throw new ValidationError('--model auto needs timestamps in the training data (to split off a validation window)');
    const innerCutoff = options.innerCutoff ?? Math.floor(end / DAY_MS) * DAY_MS - 91 * DAY_MS;
    progress.stage('selecting a model on the inner validation window');
    const selected = selectModel(train, {
      innerCutoff,
      k,
      ...(options.alsBudget === undefined ? {} : { alsBudget: options.alsBudget }),
      onTrial: (t) => progress.info('validation trial', { spec: t.spec, ndcg: Number(t.report.ndcg.toFixed(5)), fitSeconds: Number(t.fitSeconds.toFixed(2)) }),
    });
    progress.finish();
    for (const reason of selected.skipped) progress.warn(`skipped ${reason}`);
    spec = selected.best;
    selection = { innerCutoff: new Date(innerCutoff).toISOString(), trials: selected.trials.length, skipped: selected.skipped };
  } else {
    spec = options.model;
  }
  const evaluation = evaluateFitted(fitModel(train, spec), train, test, k);
  return { model: resolveSpec(spec), ...(selection ? { selection } : {}), trainCustomers: train.customerIds.length, trainItems: train.itemIds.length, ...evaluation };
}

async function loadSplit(data: EvaluationData): Promise<{ train: PurchaseLog; test: PurchaseLog }> {
  if ('train' in data) return { train: compactLog(await readInteractions(data.train)), test: await readInteractions(data.test) };
  const { log } = await readPurchaseLog(data.file, data.format);
  return splitByTime(log, data.cutoff, data.end ?? Infinity);
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

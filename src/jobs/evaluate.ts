// The offline evaluation job: a recommender trained on the training part of a purchase file split
// in time, or of explicit train/test interaction files, and scored on the test part with the
// metrics of microsoft/recommenders (REFERENCE.md protocol).
import { ValidationError } from '../errors.ts';
import { openInput, readCsv } from '../import/csv.ts';
import { parseTimestamp, type PurchaseFormat } from '../import/purchase-row.ts';
import { readPurchaseLog } from '../import/read-purchase-log.ts';
import { fitModel, resolveSpec, type ModelSpec } from '../ml/cf/fit.ts';
import type { ResolvedSpec } from '../ml/cf/registry.ts';
import { evaluateFitted, type Evaluation } from '../ml/cf/offline-evaluation.ts';
import { selectModel, type Trial } from '../ml/cf/selection.ts';
import { planFor, type ValidationChoice, type ValidationMode } from '../ml/cf/validation.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../ml/customers/purchase-log.ts';
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
  /** 'auto': chosen by nDCG@k on validation folds inside train, never the test. */
  model: 'auto' | ModelSpec;
  k: number;
  /** How 'auto' validates: time windows, random holdouts, or decided from the split (default). */
  validation?: ValidationChoice;
  /** Validation folds (time windows or repeated holdouts); default 2. */
  folds?: number;
  /** Start of the latest time window (ms); default 92 days before the train end. */
  innerCutoff?: number;
  alsBudget?: number;
}

/** What selection did, as the evaluate output shows it. */
export interface SelectionReport {
  validation: { mode: ValidationMode; reason: string; folds: string[] };
  /** Why the chosen model won. */
  reason: string;
  trials: Trial[];
  skipped: string[];
  /** Wall time of the selection. */
  seconds: number;
}

export interface EvaluateResult extends Omit<Evaluation, 'perUser'> {
  /** The evaluated model with every default filled in. */
  model: ResolvedSpec;
  selection?: SelectionReport;
  trainCustomers: number;
  trainItems: number;
}

export const VALIDATION_DEFAULTS = { folds: 2, windowDays: 92, seed: 7 };

export async function evaluateRecommender(options: EvaluateOptions, progress: JobProgress = silentProgress): Promise<EvaluateResult> {
  const { k } = options;
  await startTensorflow(progress);
  const { train, test } = await loadSplit(options.data);
  let spec: ModelSpec;
  let selection: SelectionReport | undefined;
  if (options.model === 'auto') {
    const mode = options.validation ?? 'auto';
    const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
    if (mode === 'time' && !(end > 0)) throw new ValidationError('--validation time needs timestamps in the training data (to split off validation windows)');
    const { plan, reason } = planFor(train, test, {
      ...VALIDATION_DEFAULTS,
      mode,
      ...(options.folds === undefined ? {} : { folds: options.folds }),
      ...(options.innerCutoff === undefined ? {} : { innerCutoff: options.innerCutoff }),
    });
    progress.info(`validation: ${plan.mode}, ${plan.folds} folds (${reason})`);
    progress.stage('selecting a model on the validation folds');
    const selected = selectModel(train, {
      plan,
      k,
      ...(options.alsBudget === undefined ? {} : { alsBudget: options.alsBudget }),
      onTrial: (t) => progress.info('validation trial', { spec: t.spec, ndcg: Number(t.ndcg.mean.toFixed(5)), spread: Number(t.ndcg.spread.toFixed(5)), fitSeconds: Number(t.fitSeconds.toFixed(2)), pruned: t.pruned }),
    });
    progress.finish();
    for (const skipped of selected.skipped) progress.warn(`skipped ${skipped}`);
    spec = selected.best;
    selection = { validation: { mode: plan.mode, reason, folds: selected.folds }, reason: selected.reason, trials: selected.trials, skipped: selected.skipped, seconds: selected.seconds };
  } else {
    spec = options.model;
  }
  const { perUser: _perUser, ...evaluation } = evaluateFitted(fitModel(train, spec), train, test, k);
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

/** How the evaluate and train outputs name a candidate model. */
export { specLabel } from '../ml/cf/spec-label.ts';

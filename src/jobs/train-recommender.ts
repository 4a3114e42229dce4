// The recommender training job: purchase history -> model selection on an inner validation window
// -> test metrics on the holdout -> refit on all data -> serving lists -> artifact (made CURRENT).
import { saveRecommender } from '../artifacts/codecs/recommender.ts';
import type { Manifest } from '../artifacts/manifest.ts';
import { ValidationError } from '../errors.ts';
import { fitModel, resolveSpec, servingState, type ModelSpec } from '../ml/cf/fit.ts';
import { evaluateFitted } from '../ml/cf/offline-evaluation.ts';
import { createRecommender, type Recommender } from '../ml/cf/recommender.ts';
import { selectModel, type Selection } from '../ml/cf/selection.ts';
import { planFor, type ValidationChoice } from '../ml/cf/validation.ts';
import type { RankingReport } from '../ml/metrics/ranking.ts';
import { DAY_MS } from '../ml/customers/purchase-log.ts';
import { compactLog, splitByTime } from '../ml/customers/split.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { itemCategories, readPurchases, type PurchaseSource } from './purchase-source.ts';
import { startTensorflow } from './tensorflow.ts';
import { VALIDATION_DEFAULTS } from './evaluate.ts';

export interface TrainRecommenderOptions {
  /** Purchase history; from the database, the catalog's item categories come with it. */
  source: PurchaseSource;
  modelsDir: string;
  /** 'auto' selects on the inner validation window; a spec trains exactly that model. */
  model: 'auto' | ModelSpec;
  /** Test cutoff (ms); default: 92 days before the last purchase. */
  cutoff?: number;
  /** Start of the latest validation window (ms); default: 92 days before `cutoff`. */
  innerCutoff?: number;
  /** How 'auto' validates (default 'auto': time windows, since the holdout is a later window). */
  validation?: ValidationChoice;
  /** Validation folds; default 2. */
  folds?: number;
  k?: number;
  alsBudget?: number;
  /** Category per external item id, for category-restricted popularity (default: the database's catalog, if the source is the database). */
  categories?: ReadonlyMap<string, string>;
  candidatesPerCustomer?: number;
}

export interface TrainRecommenderResult {
  manifest: Manifest;
  model: Recommender;
  spec: ModelSpec;
  selection?: Selection;
  /** How selection validated, and why (with `selection`). */
  validation?: { mode: string; reason: string };
  test: RankingReport;
}

export const HOLDOUT_DAYS = 92;

export async function trainRecommender(options: TrainRecommenderOptions, progress: JobProgress = silentProgress): Promise<TrainRecommenderResult> {
  const { modelsDir, k = 10 } = options;
  await startTensorflow(progress);
  const log = await readPurchases(options.source);
  if (log.customer.length === 0) throw new ValidationError('no purchases to train on');
  const categories = options.categories ?? ('database' in options.source ? await itemCategories(options.source.database) : undefined);
  const full = compactLog(log);
  const end = full.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const cutoff = options.cutoff ?? startOfDay(end) - (HOLDOUT_DAYS - 1) * DAY_MS;
  const { train, test } = splitByTime(full, cutoff);
  const onProgress = (done: number, total: number) => progress.update(done, total);
  let selection: Selection | undefined;
  let spec: ModelSpec;
  let validation: { mode: string; reason: string } | undefined;
  if (options.model === 'auto') {
    const { plan, reason } = planFor(train, test, {
      ...VALIDATION_DEFAULTS,
      mode: options.validation ?? 'auto',
      windowDays: HOLDOUT_DAYS,
      innerCutoff: options.innerCutoff ?? cutoff - HOLDOUT_DAYS * DAY_MS,
      ...(options.folds === undefined ? {} : { folds: options.folds }),
    });
    validation = { mode: plan.mode, reason };
    progress.info(`validation: ${plan.mode}, ${plan.folds} folds (${reason})`);
    progress.stage('selecting a model on the validation folds');
    selection = selectModel(train, {
      plan,
      k,
      ...(options.alsBudget === undefined ? {} : { alsBudget: options.alsBudget }),
      onTrial: (t) => progress.info('validation trial', { spec: t.spec, ndcg: Number(t.ndcg.mean.toFixed(5)), spread: Number(t.ndcg.spread.toFixed(5)), fitSeconds: Number(t.fitSeconds.toFixed(2)), pruned: t.pruned }),
    });
    for (const reason of selection.skipped) progress.warn(`skipped ${reason}`);
    spec = selection.best;
  } else {
    spec = options.model;
  }
  progress.stage(`testing ${spec.algorithm} on the holdout`);
  const testReport = evaluateFitted(fitModel(train, spec), train, test, k).report;
  progress.stage(`refitting ${spec.algorithm} on all data`);
  const fitted = fitModel(full, spec, { onProgress });
  progress.stage('precomputing candidate and similar-item lists');
  const state = servingState(fitted, {
    ...(options.candidatesPerCustomer === undefined ? {} : { candidatesPerCustomer: options.candidatesPerCustomer }),
    itemCategories: full.itemIds.map((id) => categories?.get(id) ?? ''),
    onProgress,
  });
  progress.finish();
  const start = full.time.reduce((a, b) => Math.min(a, b), Infinity);
  const manifest = await saveRecommender(modelsDir, state, {
    params: {
      model: resolveSpec(spec),
      selection: selection
        ? { validation: { ...validation, folds: selection.folds }, by: `ndcg@${k}`, reason: selection.reason, trials: selection.trials.map((t) => ({ spec: t.spec, ndcg: t.ndcg.mean, spread: t.ndcg.spread, perFold: t.ndcg.perFold, fitSeconds: t.fitSeconds, pruned: t.pruned })), skipped: selection.skipped, seconds: selection.seconds }
        : null,
      candidatesPerCustomer: state.candidates.perRow,
      similarPerItem: state.similarItems.perRow,
    },
    dataWindow: { from: iso(start), to: iso(end + 1) },
    metrics: { test: { cutoff: iso(cutoff), ...testReport }, fitSeconds: fitted.seconds },
  });
  return { manifest, model: createRecommender(state, manifest.version), spec, ...(selection && validation ? { selection, validation } : {}), test: testReport };
}

function startOfDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

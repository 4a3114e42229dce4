// Thin training script: purchase log -> model selection on an inner validation window -> test
// metrics on the holdout -> refit on all data -> serving lists -> artifact (made CURRENT).
import { saveRecommender } from '../src/artifacts/codecs/recommender.ts';
import type { Manifest } from '../src/artifacts/manifest.ts';
import { fitModel, resolveSpec, servingState, type ModelSpec } from '../src/ml/cf/fit.ts';
import { evaluateFitted } from '../src/ml/cf/offline-evaluation.ts';
import { createRecommender, type Recommender } from '../src/ml/cf/recommender.ts';
import { selectModel, type Selection, type Trial } from '../src/ml/cf/selection.ts';
import type { RankingReport } from '../src/ml/metrics/ranking.ts';
import { DAY_MS, type PurchaseLog } from '../src/ml/customers/purchase-log.ts';
import { compactLog, splitByTime } from '../src/ml/customers/split.ts';

export interface TrainRecommenderInput {
  log: PurchaseLog;
  modelsDir: string;
  /** 'auto' selects on the inner validation window; a spec trains exactly that model. */
  model: 'auto' | ModelSpec;
  /** Test cutoff (ms); default: 92 days before the last purchase. */
  cutoff?: number;
  /** Inner validation cutoff (ms); default: 92 days before `cutoff`. */
  innerCutoff?: number;
  k?: number;
  alsBudget?: number;
  /** Category per external item id, for category-restricted popularity. */
  categories?: ReadonlyMap<string, string>;
  candidatesPerCustomer?: number;
  onTrial?: (trial: Trial) => void;
  onStage?: (stage: string) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface TrainRecommenderResult {
  manifest: Manifest;
  model: Recommender;
  spec: ModelSpec;
  selection?: Selection;
  test: RankingReport;
}

export const HOLDOUT_DAYS = 92;

export async function trainRecommender(input: TrainRecommenderInput): Promise<TrainRecommenderResult> {
  const { log, modelsDir, k = 10 } = input;
  const full = compactLog(log);
  const end = full.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const cutoff = input.cutoff ?? startOfDay(end) - (HOLDOUT_DAYS - 1) * DAY_MS;
  const innerCutoff = input.innerCutoff ?? cutoff - HOLDOUT_DAYS * DAY_MS;
  const { train, test } = splitByTime(full, cutoff);
  let selection: Selection | undefined;
  let spec: ModelSpec;
  if (input.model === 'auto') {
    input.onStage?.('selecting a model on the inner validation window');
    selection = selectModel(train, { innerCutoff, k, ...(input.alsBudget === undefined ? {} : { alsBudget: input.alsBudget }), ...(input.onTrial ? { onTrial: input.onTrial } : {}) });
    spec = selection.best;
  } else {
    spec = input.model;
  }
  input.onStage?.(`testing ${spec.algorithm} on the holdout`);
  const testReport = evaluateFitted(fitModel(train, spec), train, test, k).report;
  input.onStage?.(`refitting ${spec.algorithm} on all data`);
  const fitted = fitModel(full, spec, input.onProgress ? { onProgress: input.onProgress } : {});
  input.onStage?.('precomputing candidate and similar-item lists');
  const state = servingState(fitted, {
    ...(input.candidatesPerCustomer === undefined ? {} : { candidatesPerCustomer: input.candidatesPerCustomer }),
    itemCategories: full.itemIds.map((id) => input.categories?.get(id) ?? ''),
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  const start = full.time.reduce((a, b) => Math.min(a, b), Infinity);
  const manifest = await saveRecommender(modelsDir, state, {
    params: {
      model: resolveSpec(spec),
      selection: selection ? { innerCutoff: iso(innerCutoff), by: `ndcg@${k}`, trials: selection.trials.map((t) => ({ spec: t.spec, ndcg: t.report.ndcg, fitSeconds: t.fitSeconds })), skipped: selection.skipped } : null,
      candidatesPerCustomer: state.candidates.perRow,
      similarPerItem: state.similarItems.perRow,
    },
    dataWindow: { from: iso(start), to: iso(end + 1) },
    metrics: { test: { cutoff: iso(cutoff), ...testReport }, fitSeconds: fitted.seconds },
  });
  return { manifest, model: createRecommender(state, manifest.version), spec, ...(selection ? { selection } : {}), test: testReport };
}

function startOfDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

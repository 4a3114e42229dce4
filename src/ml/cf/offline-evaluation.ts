// Offline evaluation of a recommender on a holdout (REFERENCE.md §2): rank every train item for
// each test user, the user's own train items removed, and score the top k.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { mergeTruthAndRanking, ndcgAtK, rankingReport, type RankingReport } from '../metrics/ranking.ts';
import { holdoutTargets } from '../customers/split.ts';
import { batchRecommend, fitModel, type FitHooks, type FittedModel, type ModelSpec } from './fit.ts';

export interface Evaluation {
  report: RankingReport;
  /** nDCG@k of each test user (in `holdoutTargets` order): what model selection compares pairwise. */
  perUser: Float64Array;
  fitSeconds: number;
  recommendSeconds: number;
}

/** Top-k for the holdout's users from a model fitted on `train`, scored against their relevant items. */
export function evaluateFitted(fitted: FittedModel, train: PurchaseLog, test: PurchaseLog, k: number): Evaluation {
  const { users, relevant } = holdoutTargets(train, test);
  const started = performance.now();
  const ranked = batchRecommend(fitted, users, k);
  const cases = Array.from(users, (_, j) => ({ relevant: relevant[j]!, ranked: ranked[j]!.map((s) => s.item) }));
  const recommendSeconds = (performance.now() - started) / 1000;
  const perUser = Float64Array.from(cases, (c) => ndcgAtK(mergeTruthAndRanking(c, k), k));
  return { report: rankingReport(cases, k, fitted.itemIds.length), perUser, fitSeconds: fitted.seconds, recommendSeconds };
}

export function evaluateSpec(train: PurchaseLog, test: PurchaseLog, spec: ModelSpec, k: number, hooks?: FitHooks): Evaluation {
  return evaluateFitted(fitModel(train, spec, hooks), train, test, k);
}

// Offline evaluation of a recommender on a holdout (REFERENCE.md §2): rank every train item for
// each test user, the user's own train items removed, and score the top k.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { mergeTruthAndRanking, ndcgAtK, rankingReport, type RankingReport } from '../metrics/ranking.ts';
import { holdoutTargets, type HoldoutTargets } from '../customers/split.ts';
import { normaliseScores, sumWeighted } from './blend.ts';
import { batchRecommend, emptyLists, fitModel, type FitHooks, type FittedModel, type ModelSpec } from './fit.ts';
import { familyOf } from './registry.ts';
import { rowContains } from './sparse.ts';
import { topN } from './top-n.ts';

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
  return { report: rankingReport(cases, k, fitted.itemIds.length), perUser: perUserNdcg(cases, k), fitSeconds: fitted.seconds, recommendSeconds };
}

export function evaluateSpec(train: PurchaseLog, test: PurchaseLog, spec: ModelSpec, k: number, hooks?: FitHooks): Evaluation {
  return evaluateFitted(fitModel(train, spec, hooks), train, test, k);
}

/**
 * A blend part's scores of the holdout's users, users x items, normalised per user as the blend
 * family does (blend.ts) under the blend's popularity vector: computed once, they serve every
 * blend the part takes part in (evaluateBlend).
 */
export function partScores(fitted: FittedModel, users: Int32Array, popularity: Float32Array): Float32Array {
  const { history } = fitted;
  const nItems = fitted.itemIds.length;
  const scorer = familyOf(fitted.scorer.algorithm).scorer(fitted.scorer, { nItems, history, popularity, similarItems: emptyLists() });
  const out = new Float32Array(users.length * nItems);
  users.forEach((u, j) => {
    const row = out.subarray(j * nItems, (j + 1) * nItems);
    if (scorer.scoreCustomer) scorer.scoreCustomer(u, row);
    else scorer.scoreItems(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!), row);
    normaliseScores(row);
  });
  scorer.dispose?.();
  return out;
}

/**
 * nDCG@k per holdout user of the blend of parts scored by partScores with `weights`: the same
 * rankings as evaluateFitted of the blended model (`history`: the training purchases, left out).
 */
export function evaluateBlend(parts: readonly Float32Array[], weights: readonly number[], history: FittedModel['history'], targets: HoldoutTargets, k: number): Float64Array {
  const nItems = history.cols;
  const blended = new Float32Array(nItems);
  const cases = Array.from(targets.users, (u, j) => {
    sumWeighted(parts.map((p) => p.subarray(j * nItems, (j + 1) * nItems)), weights, blended);
    return { relevant: targets.relevant[j]!, ranked: topN(blended, k, undefined, rowContains(history, u)).map((s) => s.item) };
  });
  return perUserNdcg(cases, k);
}

function perUserNdcg(cases: { relevant: Int32Array; ranked: number[] }[], k: number): Float64Array {
  return Float64Array.from(cases, (c) => ndcgAtK(mergeTruthAndRanking(c, k), k));
}

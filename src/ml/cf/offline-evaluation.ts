// Offline evaluation of a recommender on a holdout (REFERENCE.md §2): rank every train item for
// each test user, the user's own train items removed, and score the top k.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { mergeTruthAndRanking, ndcgAtK, rankingReport, type RankingReport } from '../metrics/ranking.ts';
import { holdoutTargets, type HoldoutTargets } from '../customers/split.ts';
import { normaliseScores, sumWeighted } from './blend.ts';
import { batchRecommend, emptyLists, fitModel, type FitHooks, type FittedModel, type ModelSpec } from './fit.ts';
import { familyOf } from './registry.ts';
import { rowContains } from './sparse.ts';
import { parallelTopLists, type TopShare } from './parallel-top.ts';
import { setTopRow, topN } from './top-n.ts';
import { defineKernel, sharedFloat32, threadCount } from '../numeric/threads.ts';

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
  // on shared memory, so every thread can blend a share of the users (evaluateBlend)
  const out = threadCount() > 1 ? sharedFloat32(users.length * nItems) : new Float32Array(users.length * nItems);
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
  const { users, relevant } = targets;
  const threads = parts.every((p) => p.buffer instanceof SharedArrayBuffer) ? Math.max(1, Math.min(threadCount(), users.length)) : 1;
  const ranked = parallelTopLists(blendTopN, { parts, weights, nItems: history.cols }, history, users, k, threads);
  return perUserNdcg(Array.from(users, (_, j) => ({ relevant: relevant[j]!, ranked: ranked[j]!.map((s) => s.item) })), k);
}

/** Users users[from, to): the weighted sum of their rows of the parts, top k without their purchases. */
export const blendTopN = defineKernel(
  import.meta.url,
  'blendTopN',
  (s: { parts: readonly Float32Array[]; weights: readonly number[]; nItems: number } & TopShare) => {
    const { parts, weights, nItems, users, lists } = s;
    const blended = new Float32Array(nItems);
    for (let j = s.from; j < s.to; j++) {
      sumWeighted(parts.map((p) => p.subarray(j * nItems, (j + 1) * nItems)), weights, blended);
      setTopRow(lists, j, topN(blended, lists.perRow, undefined, rowContains(s, users[j]!)));
    }
  },
);

function perUserNdcg(cases: { relevant: Int32Array; ranked: number[] }[], k: number): Float64Array {
  return Float64Array.from(cases, (c) => ndcgAtK(mergeTruthAndRanking(c, k), k));
}

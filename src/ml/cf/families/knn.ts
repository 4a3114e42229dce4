// Item-kNN cosine (knn.ts) as a recommender family: a customer's score for j sums the similarities
// of the items they bought to j, plus the popularity prior (popularity-prior.ts) that orders the
// items no neighbour reaches (by default only as a tie-break); the neighbour lists are also the
// similar items. RP3beta scores its own neighbour lists with this same scorer.
import { fitItemKnn, KNN_DEFAULTS, type KnnOptions } from '../knn.ts';
import { addPopularityPrior, popularityPrior, TIE_BREAK_WEIGHT } from '../popularity-prior.ts';
import { recencyWeighted } from '../recency.ts';
import { rowContains, type Csr } from '../sparse.ts';
import { setTopRow, topN } from '../top-n.ts';
import { parallelTopLists, type TopShare } from '../parallel-top.ts';
import { defineKernel, threadCount } from '../../numeric/threads.ts';
import type { PartReader, RecommenderFamily } from '../family.ts';

export interface KnnFamilyOptions extends KnnOptions {
  /** Weight of popularity against the customer's best neighbour score (TIE_BREAK_WEIGHT: ties only; 0: none). */
  prior: number;
  /** Half-life in days of the pair weights the similarities are computed on (recency.ts); 0 = every pair weighs 1. */
  halfLifeDays: number;
}

export interface KnnModel {
  /** Item -> its neighbours and their similarities. */
  neighbours: Csr;
  prior: number;
}

export const knnFamily: RecommenderFamily<'knn', KnnFamilyOptions, KnnModel> = {
  algorithm: 'knn',
  defaults: { ...KNN_DEFAULTS, prior: TIE_BREAK_WEIGHT, halfLifeDays: 0 },

  fit: ({ history, stats, endTime }, options) => ({ model: { neighbours: fitItemKnn(recencyWeighted(history, stats, endTime, options.halfLifeDays), options), prior: options.prior } }),

  scorer: ({ neighbours: m, prior }, { popularity }) => {
    const scaled = prior > 0 ? popularityPrior(popularity) : undefined;
    return {
      scoreItems: (itemIdxs, out) => neighbourScores(m, scaled, prior, itemIdxs, out),
      similarTo(i, out) {
        out.fill(-Infinity);
        for (let e = m.rowPtr[i]!; e < m.rowPtr[i + 1]!; e++) out[m.colIdx[e]!] = m.values[e]!;
      },
    };
  },

  /** Every thread scores a share of the customers (each worker gets a copy of the neighbour lists, a few MB). */
  batchTopN({ neighbours, prior }, users, k, { popularity, history }, onProgress) {
    const top = parallelTopLists(knnTopN, { neighbours, scaled: prior > 0 ? popularityPrior(popularity) : undefined, prior }, history, users, k, threadCount());
    onProgress?.(users.length);
    return top;
  },

  encode: ({ neighbours, prior }) => ({ ...neighbourSettings(prior), arrays: { neighbours } }),
  decode: (part) => ({ neighbours: part.csr('neighbours', part.items, part.items), prior: neighbourPrior(part) }),

  // fewer neighbours led on every validation window tried; similarities on 30-day recency weights
  // score worse alone and better as the blend partner of recency-weighted EASE on both of Online
  // Retail's time windows (bench/quality/README.md); they only mean something when the data span
  // several half-lives
  searchSpace: ({ spanDays }) => ({
    candidates: [
      { neighbours: 10 }, { neighbours: 20 }, { neighbours: 50 }, { neighbours: 20, prior: 0.3 },
      ...(spanDays >= 180 ? [{ neighbours: 10, halfLifeDays: 30 }, { neighbours: 20, halfLifeDays: 30 }] : []),
    ],
  }),
};

/** Customers users[from, to): their neighbour scores (with the prior) and top lists.perRow without their purchases. */
export const knnTopN = defineKernel(
  import.meta.url,
  'knnTopN',
  (s: { neighbours: Csr; scaled: Float32Array | undefined; prior: number } & TopShare) => {
    const { rowPtr, colIdx, users, lists } = s;
    const scores = new Float32Array(s.neighbours.cols);
    for (let j = s.from; j < s.to; j++) {
      const u = users[j]!;
      neighbourScores(s.neighbours, s.scaled, s.prior, colIdx.subarray(rowPtr[u]!, rowPtr[u + 1]!), scores);
      setTopRow(lists, j, topN(scores, lists.perRow, undefined, rowContains(s, u)));
    }
  },
);

/** out_j = the sum of item i -> j similarities over the listed items i, then the popularity prior (`scaled`: popularityPrior's vector). */
function neighbourScores(m: Csr, scaled: Float32Array | undefined, prior: number, itemIdxs: ArrayLike<number>, out: Float32Array): void {
  out.fill(0);
  for (let j = 0; j < itemIdxs.length; j++) {
    const row = itemIdxs[j]!;
    for (let e = m.rowPtr[row]!; e < m.rowPtr[row + 1]!; e++) out[m.colIdx[e]!]! += m.values[e]!;
  }
  if (scaled) addPopularityPrior(out, scaled, prior);
}

/** Settings holding the prior weight; none without a prior, exactly as artifacts were before it existed. */
export function neighbourSettings(prior: number): { settings?: { prior: number } } {
  return prior > 0 ? { settings: { prior } } : {};
}

/** The stored prior weight; artifacts written before the prior existed have none and score without it. */
export function neighbourPrior(part: PartReader): number {
  const prior = (part.settings as { prior?: unknown } | undefined)?.prior;
  if (prior === undefined) return 0;
  if (typeof prior !== 'number' || !(prior >= 0)) return part.reject(`neighbour settings need a non-negative prior, got ${JSON.stringify(prior)}`);
  return prior;
}

// Ranking metrics as microsoft/recommenders defines them (python_evaluation.py): binary relevance,
// every metric averaged over users. One merge step decides what a hit is, so metrics cannot disagree.

/** One user's case: the relevant items and the model's ranking, best first. */
export interface RankedCase {
  relevant: ArrayLike<number>;
  ranked: ArrayLike<number>;
}

/** 1-based ranks (within the top k) at which relevant items appear, and how many are relevant. */
export interface Merged {
  hitRanks: number[];
  relevantCount: number;
}

/** The shared "merge truth and ranking" step: hits among the first k ranked items. */
export function mergeTruthAndRanking(c: RankedCase, k: number): Merged {
  const truth = new Set(Array.from(c.relevant));
  const hitRanks: number[] = [];
  const seen = new Set<number>();
  const depth = Math.min(k, c.ranked.length);
  for (let r = 0; r < depth; r++) {
    const item = c.ranked[r]!;
    if (truth.has(item) && !seen.has(item)) hitRanks.push(r + 1);
    seen.add(item);
  }
  return { hitRanks, relevantCount: truth.size };
}

// precision@k = |hits in top k| / k, in [0, 1]; the denominator is k even if fewer items were ranked
export const precisionAtK = (m: Merged, k: number): number => m.hitRanks.length / k;

// recall@k = |hits in top k| / |relevant|, in [0, 1]
export const recallAtK = (m: Merged): number => (m.relevantCount === 0 ? 0 : m.hitRanks.length / m.relevantCount);

// nDCG@k = sum_hits 1/log(1 + rank) / sum_{r=1..min(|relevant|, k)} 1/log(1 + r), in [0, 1]
export function ndcgAtK(m: Merged, k: number): number {
  const ideal = Math.min(m.relevantCount, k);
  if (ideal === 0) return 0;
  let dcg = 0;
  for (const r of m.hitRanks) dcg += 1 / Math.log(1 + r);
  let idcg = 0;
  for (let r = 1; r <= ideal; r++) idcg += 1 / Math.log(1 + r);
  return dcg / idcg;
}

// MAP@k = sum over the j-th hit at rank r of (j / r), divided by |relevant| (not capped at k), in [0, 1]
export function mapAtK(m: Merged): number {
  if (m.relevantCount === 0) return 0;
  let s = 0;
  m.hitRanks.forEach((r, j) => (s += (j + 1) / r));
  return s / m.relevantCount;
}

// coverage = |distinct items in any top-k list| / catalog size, in [0, 1]
export function coverage(rankings: Iterable<ArrayLike<number>>, k: number, catalogSize: number): number {
  const items = new Set<number>();
  for (const ranked of rankings) for (let r = 0; r < Math.min(k, ranked.length); r++) items.add(ranked[r]!);
  return catalogSize === 0 ? 0 : items.size / catalogSize;
}

export interface RankingReport {
  k: number;
  users: number;
  precision: number;
  recall: number;
  ndcg: number;
  map: number;
  coverage: number;
}

/** Every metric averaged over the cases (users with no relevant item count as zeros). */
export function rankingReport(cases: readonly RankedCase[], k: number, catalogSize: number): RankingReport {
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  for (const c of cases) {
    const m = mergeTruthAndRanking(c, k);
    precision += precisionAtK(m, k);
    recall += recallAtK(m);
    ndcg += ndcgAtK(m, k);
    map += mapAtK(m);
  }
  const n = Math.max(1, cases.length);
  return { k, users: cases.length, precision: precision / n, recall: recall / n, ndcg: ndcg / n, map: map / n, coverage: coverage(cases.map((c) => c.ranked), k, catalogSize) };
}

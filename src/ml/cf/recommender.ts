// The serving-side recommender: a trained model's state plus the queries the service answers.
// Everything a request needs is precomputed at training time (top-K candidates per customer,
// top-S similar items, popularity order); a query only walks those lists through the caller's
// filters, and falls back to scoring the whole catalog when the filters exhaust a list, so a
// filter always holds exactly and results are the true top-N among allowed items.
import type { Csr } from './sparse.ts';
import { topN, type ItemFilter, type ScoredItem } from './top-n.ts';
import { foldInCustomer, type AlsFoldIn } from './als.ts';
import { createRowScorer } from '../numeric/linalg.ts';

export type { ItemFilter, ScoredItem };
export type Algorithm = 'als' | 'ease' | 'knn' | 'popularity';

/** How a model turns purchases into item scores (the part that differs per algorithm). */
export type ModelScorer =
  | {
      algorithm: 'als';
      /** Embedding size k. */
      factors: number;
      /** Customers x k, row-major. */
      userFactors: Float32Array;
      /** Items x k, row-major. */
      itemFactors: Float32Array;
      foldIn: AlsFoldIn;
    }
  | { algorithm: 'ease'; /** Items x items weight matrix B, row-major, zero diagonal (Steck 2019). */ weights: Float32Array }
  | { algorithm: 'knn'; /** Item -> its neighbours and cosine similarities. */ neighbours: Csr }
  | { algorithm: 'popularity' };

/** Rows of top-K (item index, score) lists padded with -1; one row per customer or item. */
export interface TopLists {
  perRow: number;
  items: Int32Array;
  scores: Float32Array;
}

export interface RecommenderState {
  scorer: ModelScorer;
  customerIds: readonly string[];
  itemIds: readonly string[];
  /** Category per item ('' when none), for category-restricted popularity. */
  itemCategories: readonly string[];
  /** Items each customer bought in the training data (not recommended back to them unless asked). */
  history: Csr;
  /** Popularity score per item (distinct recent buyers), the cold-start fallback. */
  popularity: Float32Array;
  /** Best personalised items per customer, history excluded. */
  candidates: TopLists;
  /** Most similar items per item, the item itself excluded. */
  similarItems: TopLists;
}

/** Options of a personalised query. */
export interface PersonalOptions {
  /** Also rank the items the customer bought (repeat purchases); default false. */
  includePurchased?: boolean;
}

export interface Recommender {
  readonly version: string;
  readonly algorithm: Algorithm;
  readonly customerIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Undefined for a customer unseen at training time: the caller picks the fallback. */
  customerIndex(externalId: string): number | undefined;
  itemIndex(externalId: string): number | undefined;
  /** Top-n items for a known customer, never `exclude`, nor items they bought at training time unless `includePurchased`. */
  recommend(customerIdx: number, n: number, allow?: ItemFilter, exclude?: ReadonlySet<number>, options?: PersonalOptions): ScoredItem[];
  /** Top-n for a basket or purchase list (fold-in): fresh purchases, or a customer unseen at training. The given items are left out unless `includePurchased`. */
  recommendFromItems(itemIdxs: ArrayLike<number>, n: number, allow?: ItemFilter, exclude?: ReadonlySet<number>, options?: PersonalOptions): ScoredItem[];
  /** Items most similar to `itemIdx` (never itself). */
  similar(itemIdx: number, n: number, allow?: ItemFilter): ScoredItem[];
  /** Most popular items, optionally only those of one category. */
  popular(n: number, allow?: ItemFilter, options?: { category?: string }): ScoredItem[];
  /** The state behind the model (what an artifact stores). */
  readonly state: RecommenderState;
  /** Frees the model's tfjs memory; call when a newer model replaces it. */
  dispose(): void;
}

export function createRecommender(state: RecommenderState, version: string): Recommender {
  const { scorer, history, candidates, similarItems, popularity, itemCategories } = state;
  const nItems = state.itemIds.length;
  const customers = new Map(state.customerIds.map((id, i) => [id, i]));
  const items = new Map(state.itemIds.map((id, i) => [id, i]));
  const scratch = new Float32Array(nItems);
  const popularOrder = Int32Array.from({ length: nItems }, (_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const itemScorer = scorer.algorithm === 'als' ? createRowScorer(scorer.itemFactors, scorer.factors) : undefined;
  const normalisedFactors = scorer.algorithm === 'als' ? unitRows(scorer.itemFactors, scorer.factors) : undefined;
  const similarityScorer = normalisedFactors && scorer.algorithm === 'als' ? createRowScorer(normalisedFactors, scorer.factors) : undefined;
  const inHistory = (u: number) => {
    const from = history.rowPtr[u]!;
    const to = history.rowPtr[u + 1]!;
    return (item: number) => binarySearch(history.colIdx, from, to, item);
  };

  // A filter's member list shorter than this is scored item by item in plain JS; beyond it, one
  // pass over the whole catalog (tfjs for ALS) is cheaper. With members, only their scores are
  // written, and top-N reads only them.
  const few = (allow: ItemFilter | undefined): Int32Array | undefined => (allow?.members && allow.members.length * 8 <= nItems ? allow.members : undefined);

  const scoreItems = (itemIdxs: ArrayLike<number>, out: Float32Array, members?: Int32Array): void => {
    switch (scorer.algorithm) {
      case 'als':
        itemScorer!.score(foldInCustomer(scorer.itemFactors, scorer.foldIn, itemIdxs), out, members);
        return;
      case 'ease':
        if (members) {
          for (let m = 0; m < members.length; m++) {
            const i = members[m]!;
            let s = 0;
            for (let j = 0; j < itemIdxs.length; j++) s += scorer.weights[itemIdxs[j]! * nItems + i]!;
            out[i] = s;
          }
          return;
        }
        out.fill(0);
        for (let j = 0; j < itemIdxs.length; j++) addRow(out, scorer.weights, itemIdxs[j]! * nItems, nItems);
        return;
      case 'knn':
        out.fill(0);
        for (let j = 0; j < itemIdxs.length; j++) addSparseRow(out, scorer.neighbours, itemIdxs[j]!);
        return;
      case 'popularity':
        out.set(popularity);
    }
  };

  const scoreCustomer = (u: number, out: Float32Array, members?: Int32Array): void => {
    if (scorer.algorithm === 'als') {
      const k = scorer.factors;
      itemScorer!.score(scorer.userFactors.subarray(u * k, (u + 1) * k), out, members);
    } else {
      scoreItems(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!), out, members);
    }
  };

  const similarRow = (i: number, out: Float32Array, members?: Int32Array): void => {
    switch (scorer.algorithm) {
      case 'als':
        similarityScorer!.score(normalisedFactors!.subarray(i * scorer.factors, (i + 1) * scorer.factors), out, members);
        return;
      case 'ease':
        out.set(scorer.weights.subarray(i * nItems, (i + 1) * nItems));
        return;
      case 'knn': {
        const m = scorer.neighbours;
        out.fill(-Infinity);
        for (let e = m.rowPtr[i]!; e < m.rowPtr[i + 1]!; e++) out[m.colIdx[e]!] = m.values[e]!;
        return;
      }
      case 'popularity':
        // only the precomputed neighbours exist: everything else is "not similar"
        out.fill(-Infinity);
        for (let k = 0; k < similarItems.perRow; k++) {
          const j = similarItems.items[i * similarItems.perRow + k]!;
          if (j >= 0) out[j] = similarItems.scores[i * similarItems.perRow + k]!;
        }
    }
  };

  return {
    version,
    algorithm: scorer.algorithm,
    customerIds: state.customerIds,
    itemIds: state.itemIds,
    state,
    customerIndex: (id) => customers.get(id),
    dispose: () => {
      itemScorer?.dispose();
      similarityScorer?.dispose();
    },
    itemIndex: (id) => items.get(id),

    recommend(u, n, allow, exclude, options = {}) {
      checkIndex(u, state.customerIds.length, 'customer');
      if (options.includePurchased) {
        // The candidate lists leave purchases out, so they cannot rank them: score the catalog
        // (or a filter's few members; the cost of one fold-in) instead of keeping a second
        // per-algorithm scorer for bought items to merge into the list; the default path keeps
        // the cached lists.
        const members = few(allow);
        scoreCustomer(u, scratch, members);
        return topN(scratch, n, allow, exclude && ((i) => exclude.has(i)), members);
      }
      const cached = fromList(candidates, u, n, allow, exclude);
      if (cached) return cached;
      const members = few(allow);
      scoreCustomer(u, scratch, members);
      const bought = inHistory(u);
      return topN(scratch, n, allow, exclude ? (i) => bought(i) || exclude.has(i) : bought, members);
    },

    recommendFromItems(itemIdxs, n, allow, exclude, options = {}) {
      for (let j = 0; j < itemIdxs.length; j++) checkIndex(itemIdxs[j]!, nItems, 'item');
      const own = new Set(options.includePurchased ? [] : Array.from(itemIdxs));
      const members = few(allow);
      scoreItems(itemIdxs, scratch, members);
      return topN(scratch, n, allow, (i) => own.has(i) || (exclude?.has(i) ?? false), members);
    },

    similar(i, n, allow) {
      checkIndex(i, nItems, 'item');
      const cached = fromList(similarItems, i, n, allow, undefined);
      if (cached) return cached;
      const members = few(allow);
      similarRow(i, scratch, members);
      return topN(scratch, n, allow, (j) => j === i, members);
    },

    popular(n, allow, options = {}) {
      const { category } = options;
      const out: ScoredItem[] = [];
      for (let k = 0; k < nItems && out.length < n; k++) {
        const i = popularOrder[k]!;
        if (category !== undefined && itemCategories[i] !== category) continue;
        if (allow && !allow(i)) continue;
        out.push({ item: i, score: popularity[i]! });
      }
      return out;
    },
  };
}

/**
 * Answers from a precomputed list when it holds n allowed items, or when the list is complete
 * (shorter than its capacity, so no other item qualifies); undefined means "score everything".
 */
function fromList(lists: TopLists, row: number, n: number, allow: ItemFilter | undefined, exclude: ReadonlySet<number> | undefined): ScoredItem[] | undefined {
  const { perRow } = lists;
  if (perRow === 0) return undefined;
  const out: ScoredItem[] = [];
  const base = row * perRow;
  for (let k = 0; k < perRow; k++) {
    const item = lists.items[base + k]!;
    if (item < 0) return out;
    if ((allow && !allow(item)) || exclude?.has(item)) continue;
    out.push({ item, score: lists.scores[base + k]! });
    if (out.length === n) return out;
  }
  return undefined;
}

function checkIndex(i: number, n: number, what: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`${what} index ${i} out of range [0, ${n})`);
}

// unrolled by four: summing B rows is the whole cost of EASE scoring
function addRow(out: Float32Array, matrix: Float32Array, offset: number, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    out[j]! += matrix[offset + j]!;
    out[j + 1]! += matrix[offset + j + 1]!;
    out[j + 2]! += matrix[offset + j + 2]!;
    out[j + 3]! += matrix[offset + j + 3]!;
  }
  for (; j < n; j++) out[j]! += matrix[offset + j]!;
}

function addSparseRow(out: Float32Array, m: Csr, row: number): void {
  for (let k = m.rowPtr[row]!; k < m.rowPtr[row + 1]!; k++) out[m.colIdx[k]!]! += m.values[k]!;
}

function binarySearch(sorted: Int32Array, from: number, to: number, value: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid]!;
    if (v === value) return true;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

function unitRows(m: Float32Array, k: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < m.length / k; r++) {
    let norm = 0;
    for (let j = 0; j < k; j++) norm += m[r * k + j]! ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < k; j++) out[r * k + j] = m[r * k + j]! * scale;
  }
  return out;
}

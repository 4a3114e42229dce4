// The serving-side recommender: a trained model's state plus the queries the service answers.
// Everything a request needs is precomputed at training time (top-K candidates per customer,
// top-S similar items, popularity order); a query only walks those lists through the caller's
// filters, and falls back to scoring the whole catalog when the filters exhaust a list, so a
// filter always holds exactly and results are the true top-N among allowed items.
import { rowContains, type Csr } from './sparse.ts';
import { topN, type ItemFilter, type ScoredItem } from './top-n.ts';
import type { TopLists } from './family.ts';
import { familyOf, type Algorithm, type ModelScorer } from './registry.ts';

export type { ItemFilter, ScoredItem, TopLists };

export interface RecommenderState {
  /** The family's name and learned model (registry.ts). */
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
  const { history, candidates, similarItems, popularity, itemCategories } = state;
  const nItems = state.itemIds.length;
  const customers = new Map(state.customerIds.map((id, i) => [id, i]));
  const items = new Map(state.itemIds.map((id, i) => [id, i]));
  const scratch = new Float32Array(nItems);
  const popularOrder = Int32Array.from({ length: nItems }, (_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const scorer = familyOf(state.scorer.algorithm).scorer(state.scorer, { nItems, history, popularity, similarItems });

  // A filter's member list shorter than this is scored item by item in plain JS; beyond it, one
  // pass over the whole catalog (tfjs for ALS) is cheaper. With members, only their scores are
  // written, and top-N reads only them.
  const few = (allow: ItemFilter | undefined): Int32Array | undefined => (allow?.members && allow.members.length * 8 <= nItems ? allow.members : undefined);

  const scoreCustomer = (u: number, out: Float32Array, members?: Int32Array): void => {
    if (scorer.scoreCustomer) scorer.scoreCustomer(u, out, members);
    else scorer.scoreItems(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!), out, members);
  };

  return {
    version,
    algorithm: state.scorer.algorithm,
    customerIds: state.customerIds,
    itemIds: state.itemIds,
    state,
    customerIndex: (id) => customers.get(id),
    dispose: () => scorer.dispose?.(),
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
      const bought = rowContains(history, u);
      return topN(scratch, n, allow, exclude ? (i) => bought(i) || exclude.has(i) : bought, members);
    },

    recommendFromItems(itemIdxs, n, allow, exclude, options = {}) {
      for (let j = 0; j < itemIdxs.length; j++) checkIndex(itemIdxs[j]!, nItems, 'item');
      const own = new Set(options.includePurchased ? [] : Array.from(itemIdxs));
      const members = few(allow);
      scorer.scoreItems(itemIdxs, scratch, members);
      return topN(scratch, n, allow, (i) => own.has(i) || (exclude?.has(i) ?? false), members);
    },

    similar(i, n, allow) {
      checkIndex(i, nItems, 'item');
      const cached = fromList(similarItems, i, n, allow, undefined);
      if (cached) return cached;
      const members = few(allow);
      scorer.similarTo(i, scratch, members);
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

// One entry point to train any recommender family from a purchase log, and to turn a fitted model
// into the serving state (precomputed candidate and similar-item lists). What differs per family
// is behind its entry in registry.ts.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { fitPopularity } from './popularity.ts';
import { createRecommender, type Recommender, type RecommenderState, type TopLists } from './recommender.ts';
import type { ScoringContext } from './family.ts';
import { familyOf, type Algorithm, type ModelScorer, type ModelSpec, type ResolvedSpec } from './registry.ts';
import { pairStats, withValues, type Csr } from './sparse.ts';
import { setTopRow, topN, type ScoredItem } from './top-n.ts';
import { recycleShared } from '../numeric/threads.ts';

export type { Algorithm, ModelSpec };

export interface FittedModel {
  spec: ModelSpec;
  scorer: ModelScorer;
  /** Binary customer x item matrix of the training data. */
  history: Csr;
  popularity: Float32Array;
  customerIds: readonly string[];
  itemIds: readonly string[];
  seconds: number;
}

export interface FitHooks {
  /** Called as iterations (ALS) or inverse blocks (EASE) complete. */
  onProgress?: (done: number, total: number) => void;
}

/** Every default filled in, so a manifest records exactly what was trained. */
export function resolveSpec(spec: ModelSpec): ResolvedSpec {
  // a key given as undefined takes the default, as it would in the family's fit
  const given = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
  return { ...familyOf(spec.algorithm).defaults, ...given } as ResolvedSpec;
}

export function fitModel(log: PurchaseLog, spec: ModelSpec, hooks: FitHooks = {}): FittedModel {
  const started = performance.now();
  const family = familyOf(spec.algorithm);
  const { algorithm, ...options } = resolveSpec(spec);
  const stats = pairStats(log);
  const history = withValues(stats.matrix, new Float32Array(stats.matrix.values.length).fill(1));
  const endTime = log.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const fit = family.fit({ log, stats, history, endTime, onProgress: hooks.onProgress }, options);
  const popularity = fit.popularity ?? fitPopularity(log, { endTime });
  const scorer = { algorithm, ...fit.model } as ModelScorer;
  return { spec, scorer, history, popularity, customerIds: log.customerIds, itemIds: log.itemIds, seconds: (performance.now() - started) / 1000 };
}

/**
 * Hands a model's arrays on shared memory (EASE's B, iALS's factors on two threads) back for the
 * next fit of the same shape (threads.ts): for a caller that fits many models and is done with
 * this one, whose arrays must not be read again.
 */
export function releaseModel(fitted: FittedModel): void {
  const { algorithm, ...model } = fitted.scorer;
  const { arrays } = familyOf(algorithm).encode(model as never);
  recycleShared(Object.values(arrays).filter((a): a is Float32Array => a instanceof Float32Array));
}

export interface ServingOptions {
  /** Personalised items cached per customer (0 = score on every request). */
  candidatesPerCustomer: number;
  similarPerItem: number;
  /** Category per item index ('' = none). */
  itemCategories?: readonly string[];
  onProgress?: (done: number, total: number) => void;
}

export const SERVING_DEFAULTS: ServingOptions = { candidatesPerCustomer: 100, similarPerItem: 50 };

/** A model that answers every query by scoring the catalog (no precomputed lists). */
export function uncachedRecommender(fitted: FittedModel, version = ''): Recommender {
  return createRecommender(stateWith(fitted, emptyLists(), emptyLists(), fitted.itemIds.map(() => '')), version);
}

/** The serving state: precomputes top-K candidates per customer and top-S similar items per item. */
export function servingState(fitted: FittedModel, options: Partial<ServingOptions> = {}): RecommenderState {
  const o = { ...SERVING_DEFAULTS, ...options } satisfies ServingOptions;
  const categories = o.itemCategories ?? fitted.itemIds.map(() => '');
  const nCustomers = fitted.customerIds.length;
  const nItems = fitted.itemIds.length;
  const all = Int32Array.from({ length: nCustomers }, (_, u) => u);
  const best = batchRecommend(fitted, all, o.candidatesPerCustomer, (done) => o.onProgress?.(done, nCustomers + nItems));
  const candidates = fillLists(nCustomers, o.candidatesPerCustomer, (u) => best[u]!, () => undefined);
  const family = familyOf(fitted.scorer.algorithm);
  const context = scoringContext(fitted);
  const similarity = family.listSimilarity?.(fitted.history, o.similarPerItem, context) ?? family.scorer(fitted.scorer, context);
  const scratch = new Float32Array(nItems);
  const similarItems = fillLists(
    nItems,
    o.similarPerItem,
    (i) => {
      similarity.similarTo(i, scratch);
      return topN(scratch, o.similarPerItem, undefined, (j) => j === i);
    },
    (done) => o.onProgress?.(nCustomers + done, nCustomers + nItems),
  );
  similarity.dispose?.();
  return stateWith(fitted, candidates, similarItems, categories);
}

/**
 * Top-k for many customers at once (training-time purchases excluded): the family's batch path
 * when it has one (embedding models score 1,024 customers per tfjs product, EASE on every
 * thread), else one by one.
 */
export function batchRecommend(fitted: FittedModel, users: Int32Array, k: number, onProgress?: (done: number) => void): ScoredItem[][] {
  const family = familyOf(fitted.scorer.algorithm);
  if (family.batchTopN) return family.batchTopN(fitted.scorer, users, k, scoringContext(fitted), onProgress);
  const plain = uncachedRecommender(fitted);
  const out = Array.from(users, (u, j) => {
    if (j % 1024 === 0) onProgress?.(j);
    return plain.recommend(u, k);
  });
  plain.dispose();
  return out;
}

/** What a fitted model's scorer sees before any list is precomputed. */
function scoringContext(fitted: FittedModel): ScoringContext {
  return { nItems: fitted.itemIds.length, history: fitted.history, popularity: fitted.popularity, similarItems: emptyLists() };
}

function stateWith(fitted: FittedModel, candidates: TopLists, similarItems: TopLists, itemCategories: readonly string[]): RecommenderState {
  return { scorer: fitted.scorer, customerIds: fitted.customerIds, itemIds: fitted.itemIds, itemCategories, history: fitted.history, popularity: fitted.popularity, candidates, similarItems };
}

/** Lists with no rows' entries (perRow 0): nothing precomputed. */
export function emptyLists(): TopLists {
  return { perRow: 0, items: new Int32Array(0), scores: new Float32Array(0) };
}

function fillLists(rows: number, perRow: number, list: (row: number) => { item: number; score: number }[], progress: (done: number) => void): TopLists {
  const lists = { perRow, items: new Int32Array(rows * perRow).fill(-1), scores: new Float32Array(rows * perRow) };
  if (perRow === 0) return lists;
  for (let r = 0; r < rows; r++) {
    setTopRow(lists, r, list(r));
    if (r % 1024 === 0) progress(r);
  }
  return lists;
}

// One entry point to train any recommender family from a purchase log, and to turn a fitted model
// into the serving state (precomputed candidate and similar-item lists).
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { ALS_DEFAULTS, fitAls, preferenceStrength, type AlsOptions } from './als.ts';
import { EASE_DEFAULTS, fitEase } from './ease.ts';
import { fitItemKnn, KNN_DEFAULTS } from './knn.ts';
import { fitPopularity, POPULARITY_DEFAULTS } from './popularity.ts';
import { createRecommender, type ModelScorer, type Recommender, type RecommenderState, type TopLists } from './recommender.ts';
import { pairStats, withValues, type Csr } from './sparse.ts';
import { topN, type ScoredItem } from './top-n.ts';
import { matMul, transposed } from '../numeric/linalg.ts';

export type ModelSpec =
  | ({ algorithm: 'als' } & Partial<AlsOptions>)
  | { algorithm: 'ease'; lambda?: number }
  | { algorithm: 'knn'; neighbours?: number }
  | { algorithm: 'popularity'; windowDays?: number };

export type Algorithm = ModelSpec['algorithm'];

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
export function resolveSpec(spec: ModelSpec): Required<ModelSpec> {
  switch (spec.algorithm) {
    case 'als':
      return { ...ALS_DEFAULTS, ...spec };
    case 'ease':
      return { ...EASE_DEFAULTS, ...spec };
    case 'knn':
      return { ...KNN_DEFAULTS, ...spec };
    case 'popularity':
      return { ...POPULARITY_DEFAULTS, ...spec };
  }
}

export function fitModel(log: PurchaseLog, spec: ModelSpec, hooks: FitHooks = {}): FittedModel {
  const started = performance.now();
  const stats = pairStats(log);
  const history = withValues(stats.matrix, new Float32Array(stats.matrix.values.length).fill(1));
  const endTime = log.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const popularity = fitPopularity(log, spec.algorithm === 'popularity' ? { windowDays: spec.windowDays ?? Infinity, endTime } : { endTime });
  let scorer: ModelScorer;
  switch (spec.algorithm) {
    case 'als': {
      const o = { ...ALS_DEFAULTS, ...spec };
      const strengths = withValues(stats.matrix, preferenceStrength(stats, o.weighting, { halfLifeDays: o.halfLifeDays, endTime }));
      const model = fitAls(strengths, o, hooks.onProgress);
      scorer = { algorithm: 'als', factors: model.factors, userFactors: model.userFactors, itemFactors: model.itemFactors, foldIn: model.foldIn };
      break;
    }
    case 'ease':
      scorer = { algorithm: 'ease', weights: fitEase(history, { lambda: spec.lambda ?? EASE_DEFAULTS.lambda }, hooks.onProgress) };
      break;
    case 'knn':
      scorer = { algorithm: 'knn', neighbours: fitItemKnn(history, { neighbours: spec.neighbours ?? KNN_DEFAULTS.neighbours }) };
      break;
    case 'popularity':
      scorer = { algorithm: 'popularity' };
  }
  return { spec, scorer, history, popularity, customerIds: log.customerIds, itemIds: log.itemIds, seconds: (performance.now() - started) / 1000 };
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
  const plain = uncachedRecommender(fitted);
  const nCustomers = fitted.customerIds.length;
  const nItems = fitted.itemIds.length;
  const all = Int32Array.from({ length: nCustomers }, (_, u) => u);
  const best = batchRecommend(fitted, all, o.candidatesPerCustomer, (done) => o.onProgress?.(done, nCustomers + nItems));
  const candidates = fillLists(nCustomers, o.candidatesPerCustomer, (u) => best[u]!, () => undefined);
  const similarSource = fitted.scorer.algorithm === 'popularity' ? similarFromKnn(fitted, o.similarPerItem) : plain;
  const similarItems = fillLists(nItems, o.similarPerItem, (i) => similarSource.similar(i, o.similarPerItem), (done) => o.onProgress?.(nCustomers + done, nCustomers + nItems));
  return stateWith(fitted, candidates, similarItems, categories);
}

/**
 * Top-k for many customers at once (training-time purchases excluded). Embedding models score
 * 1,024 customers per tfjs matrix product; item-item models sum rows per customer.
 */
export function batchRecommend(fitted: FittedModel, users: Int32Array, k: number, onProgress?: (done: number) => void): ScoredItem[][] {
  const { scorer, history } = fitted;
  const nItems = fitted.itemIds.length;
  const bought = (u: number) => {
    const own = new Set(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!));
    return (i: number) => own.has(i);
  };
  if (scorer.algorithm !== 'als') {
    const plain = uncachedRecommender(fitted);
    return Array.from(users, (u, j) => {
      if (j % 1024 === 0) onProgress?.(j);
      return plain.recommend(u, k);
    });
  }
  const f = scorer.factors;
  const itemsByFactor = transposed(scorer.itemFactors, nItems, f);
  const out: ScoredItem[][] = [];
  const chunk = 1024;
  for (let start = 0; start < users.length; start += chunk) {
    const rows = Math.min(chunk, users.length - start);
    const vectors = new Float32Array(rows * f);
    for (let j = 0; j < rows; j++) vectors.set(scorer.userFactors.subarray(users[start + j]! * f, (users[start + j]! + 1) * f), j * f);
    const scores = matMul(vectors, [rows, f], itemsByFactor, [f, nItems]);
    for (let j = 0; j < rows; j++) out.push(topN(scores.subarray(j * nItems, (j + 1) * nItems), k, undefined, bought(users[start + j]!)));
    onProgress?.(start + rows);
  }
  return out;
}

function similarFromKnn(fitted: FittedModel, perItem: number): Recommender {
  return uncachedRecommender({ ...fitted, scorer: { algorithm: 'knn', neighbours: fitItemKnn(fitted.history, { neighbours: perItem }) } });
}

function stateWith(fitted: FittedModel, candidates: TopLists, similarItems: TopLists, itemCategories: readonly string[]): RecommenderState {
  return { scorer: fitted.scorer, customerIds: fitted.customerIds, itemIds: fitted.itemIds, itemCategories, history: fitted.history, popularity: fitted.popularity, candidates, similarItems };
}

function emptyLists(): TopLists {
  return { perRow: 0, items: new Int32Array(0), scores: new Float32Array(0) };
}

function fillLists(rows: number, perRow: number, list: (row: number) => { item: number; score: number }[], progress: (done: number) => void): TopLists {
  const items = new Int32Array(rows * perRow).fill(-1);
  const scores = new Float32Array(rows * perRow);
  if (perRow === 0) return { perRow, items, scores };
  for (let r = 0; r < rows; r++) {
    list(r).forEach(({ item, score }, k) => {
      items[r * perRow + k] = item;
      scores[r * perRow + k] = score;
    });
    if (r % 1024 === 0) progress(r);
  }
  return { perRow, items, scores };
}

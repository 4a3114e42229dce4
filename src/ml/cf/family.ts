// The one interface a recommender family implements: how it fits, scores, saves its part of an
// artifact and which settings model selection tries. Everything shared by all families (purchase
// history, popularity fallback, precomputed lists, top-N with filters) lives around it, in fit.ts,
// recommender.ts, selection.ts and the artifact codec; a new family is one file and one line in
// registry.ts.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import type { Csr, PairStats } from './sparse.ts';
import type { ScoredItem } from './top-n.ts';

/** What every family's fit may draw on, computed once by fitModel. */
export interface FitInput {
  log: PurchaseLog;
  /** Per customer-item pair: order lines, quantity, last purchase time. */
  stats: PairStats;
  /** Binary customer x item matrix of the log. */
  history: Csr;
  /** Time of the log's last purchase (ms). */
  endTime: number;
  /** Called as iterations (ALS) or inverse blocks (EASE) complete. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface FamilyFit<Model> {
  model: Model;
  /** The popularity fallback when the family defines its own (a trending window); default: all-time buyers. */
  popularity?: Float32Array;
}

/** Rows of top-K (item index, score) lists padded with -1; one row per customer or item. */
export interface TopLists {
  perRow: number;
  items: Int32Array;
  scores: Float32Array;
}

/** What a family's scorer sees of the serving state besides its own model. */
export interface ScoringContext {
  nItems: number;
  /** Items each customer bought in the training data. */
  history: Csr;
  popularity: Float32Array;
  /** The precomputed similar-items lists (empty while they are being computed). */
  similarItems: TopLists;
}

/**
 * A model's scores written into a dense vector over the catalog. With `members`, only those items'
 * scores need be written (the caller reads no others); -Infinity means "never return".
 */
export interface FamilyScorer {
  /** Scores for a list of purchased items (fold-in; repeats count as more lines). */
  scoreItems(itemIdxs: ArrayLike<number>, out: Float32Array, members?: Int32Array): void;
  /** Scores for a customer known at training; default: scoreItems of their training purchases. */
  scoreCustomer?(customerIdx: number, out: Float32Array, members?: Int32Array): void;
  /** Similarity of every item to `itemIdx`. */
  similarTo(itemIdx: number, out: Float32Array, members?: Int32Array): void;
  /** Frees tfjs memory held by the scorer. */
  dispose?(): void;
}

/** A number array the artifact stores as one file (a Csr as three). */
export type PartArray = Float32Array | Csr;

/** A family's share of an artifact. */
export interface ModelPart {
  /** JSON settings, stored in structure.json under the family's name. */
  settings?: Record<string, unknown>;
  /** Named arrays, one file each (`<name>.f32`; `<name>.rowptr.i32`, `.cols.i32`, `.values.f32` for a Csr). */
  arrays: Record<string, PartArray>;
}

/** Reads a family's share back; every accessor refuses a missing or malformed file with a clear message. */
export interface PartReader {
  /** What encode stored as settings (undefined when none), not yet checked. */
  readonly settings: unknown;
  readonly customers: number;
  readonly items: number;
  float32(name: string): Float32Array;
  csr(name: string, rows: number, cols: number): Csr;
  /** Refuses the artifact (its settings or arrays do not fit together). */
  reject(message: string): never;
}

/** Model selection's budget and limits, as the families read them. */
export interface SearchSettings {
  /** Number of random iALS settings tried. */
  alsBudget: number;
  /** iALS iterations during the search (the chosen model is refit with the same value). */
  alsIterations: number;
  seed: number;
  /** EASE is skipped when its items x items matrices would exceed this many bytes. */
  easeMemoryLimit: number;
}

export interface SearchContext extends SearchSettings {
  /** Items in the training data. */
  items: number;
  /** Days between the training data's first and last purchase (0 without timestamps). */
  spanDays: number;
}

export interface SearchSpace<Options> {
  /** Settings to try, in order (the first of equally good ones wins). */
  candidates: Partial<Options>[];
  /** Why the family is left out, when it is. */
  skipped?: string;
}

/**
 * One recommender family. `Options` are its hyperparameters (a spec is `{ algorithm, ...Partial<Options> }`),
 * `Model` what it learns; the serving state stores `{ algorithm, ...Model }`.
 */
export interface RecommenderFamily<Name extends string, Options extends object, Model extends object> {
  readonly algorithm: Name;
  /** Every hyperparameter's default (resolveSpec fills a spec from these). */
  readonly defaults: Options;
  fit(input: FitInput, options: Options): FamilyFit<Model>;
  scorer(model: Model, context: ScoringContext): FamilyScorer;
  /** Top-k for many customers at once, faster than one by one; their purchases in `context.history` are left out. */
  batchTopN?(model: Model, users: Int32Array, k: number, context: ScoringContext, onProgress?: (done: number) => void): ScoredItem[][];
  /** Where the precomputed similar-items lists come from when not from the model itself. */
  listSimilarity?(history: Csr, perItem: number, context: ScoringContext): FamilyScorer;
  encode(model: Model): ModelPart;
  decode(part: PartReader): Model;
  searchSpace(context: SearchContext): SearchSpace<Options>;
}

/** Any family, as the registry holds them (methods are bivariant, so every family fits). */
export type AnyFamily = RecommenderFamily<string, object, object>;

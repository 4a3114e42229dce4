// Recommendations as the shop asks for them: personalised when the customer is known (from the
// model's precomputed candidates, or by fold-in when they bought since training), popularity
// otherwise, always through the catalog filters. Everything here reads memory, not the database.
import { randomUUID } from 'node:crypto';
import { DomainError, NotFoundError } from '../errors.ts';
import type { ScoredItem } from '../ml/cf/recommender.ts';
import type { CatalogSnapshot } from './catalog-snapshot.ts';
import type { FreshPurchases } from './fresh-purchases.ts';
import type { ItemFlags } from './item-filter.ts';
import type { LoadedRecommender } from './model-registry.ts';

export interface RecommendOptions {
  limit: number;
  categories?: readonly string[] | undefined;
  /** External item ids never to return. */
  exclude?: readonly string[] | undefined;
  /** Only in-stock items (default true). */
  inStock?: boolean | undefined;
  /** Items the customer already bought may come back (repeat purchases; default false). */
  includePurchased?: boolean | undefined;
}

export interface RecommendedItem {
  itemId: string;
  score: number;
  title: string | null;
  category: string | null;
  price: number | null;
}

export interface Recommendations {
  customerId: string;
  /** personalized: from the customer's own history; fallback: popularity (unknown or cold customer). */
  source: 'personalized' | 'fallback';
  modelVersion: string;
  /** Attribution id: the shop sends it back with clicks and orders. */
  recommendationId: string;
  items: RecommendedItem[];
}

/** Size of the cached fold-in list per customer; deeper requests or heavy filters score afresh. */
const FOLD_IN_DEPTH = 100;
const FOLD_IN_CACHE_MAX = 100_000;
/** Fold-ins computed per event-loop turn by prefetch (~1–2 ms each for 20,000 items × 64 factors). */
const PREFETCH_PER_TURN = 4;

interface ServingState {
  model: LoadedRecommender;
  flags: ItemFlags;
  fresh: FreshPurchases;
}

/** A customer's cached fold-in top list as typed arrays (≈ 800 bytes at depth 100). */
interface FoldInEntry {
  generation: number;
  items: Int32Array;
  scores: Float32Array;
}

export class RecommendationService {
  private readonly foldIns = new Map<string, FoldInEntry>();
  private foldInModel = '';
  private readonly pending = new Set<string>();
  private draining = false;

  constructor(
    private readonly serving: () => ServingState | undefined,
    private readonly catalog: CatalogSnapshot,
    private readonly erased: ReadonlySet<string>,
  ) {}

  forCustomer(customerId: string, options: RecommendOptions): Recommendations {
    const state = this.require();
    const { model, flags, fresh } = state;
    const r = model.recommender;
    const allow = flags.filter({ categories: options.categories, inStock: options.inStock ?? true });
    const exclude = this.indices(r, options.exclude);
    const erased = this.erased.has(customerId);
    const u = erased ? undefined : r.customerIndex(customerId);
    const freshItems = erased ? undefined : fresh.items(customerId);
    const includePurchased = options.includePurchased ?? false;
    let items: ScoredItem[];
    let source: Recommendations['source'] = 'personalized';
    if (freshItems && freshItems.size > 0) {
      items = this.foldIn(state, customerId, options.limit, allow, exclude, includePurchased);
    } else if (u !== undefined) {
      items = r.recommend(u, options.limit, allow, exclude, { includePurchased });
    } else {
      source = 'fallback';
      items = r.popular(options.limit, exclude ? (i) => allow(i) && !exclude.has(i) : allow);
    }
    return { customerId, source, modelVersion: r.version, recommendationId: randomUUID(), items: this.describe(state, items) };
  }

  similar(itemId: string, options: RecommendOptions): { itemId: string; modelVersion: string; items: RecommendedItem[] } {
    const state = this.require();
    const { model, flags } = state;
    const r = model.recommender;
    const i = r.itemIndex(itemId);
    if (i === undefined) throw new NotFoundError(`item '${itemId}' is not known to model ${r.version}`);
    const allow = flags.filter({ categories: options.categories, inStock: options.inStock ?? true });
    const exclude = this.indices(r, options.exclude);
    const found = r.similar(i, options.limit, exclude ? (j) => allow(j) && !exclude.has(j) : allow);
    return { itemId, modelVersion: r.version, items: this.describe(state, found) };
  }

  /** Popularity as the model saw it in its training window (no database round trip). */
  popular(options: RecommendOptions): { modelVersion: string; items: RecommendedItem[] } {
    const state = this.require();
    const { model, flags } = state;
    const r = model.recommender;
    const allow = flags.filter({ categories: options.categories, inStock: options.inStock ?? true });
    return { modelVersion: r.version, items: this.describe(state, r.popular(options.limit, allow)) };
  }

  describeIds(rows: readonly { itemId: string; score: number }[]): RecommendedItem[] {
    return rows.map(({ itemId, score }) => {
      const e = this.catalog.get(itemId);
      return { itemId, score, title: e?.title ?? null, category: e?.category ?? null, price: e?.price ?? null };
    });
  }

  private require(): ServingState {
    const s = this.serving();
    if (!s) throw new DomainError('not_ready', 'no recommender model is loaded yet (train one: retain train recommender)');
    return s;
  }

  /**
   * Computes fold-in lists ahead of requests (called when fresh purchases arrive), a few customers
   * per event-loop turn so requests keep flowing; a request that comes first computes its own.
   */
  prefetch(customerIds: Iterable<string>): void {
    for (const id of customerIds) this.pending.add(id);
    if (!this.draining && this.pending.size > 0) {
      this.draining = true;
      setImmediate(this.drain);
    }
  }

  /** Customers whose fold-in list is queued but not computed yet. */
  get pendingPrefetch(): number {
    return this.pending.size;
  }

  private readonly drain = (): void => {
    const state = this.serving();
    let n = 0;
    for (const id of this.pending) {
      this.pending.delete(id);
      if (state && !this.erased.has(id)) this.foldInEntry(state, id);
      if (++n === PREFETCH_PER_TURN) break;
    }
    if (this.pending.size > 0) setImmediate(this.drain);
    else this.draining = false;
  };

  /**
   * Fold-in: scores from everything the customer bought (training history plus fresh purchases).
   * The unfiltered top list is cached per customer until their purchases change; a request whose
   * filters exhaust the cached list is answered by scoring the whole catalog, so filters stay exact.
   */
  private foldIn(state: ServingState, customerId: string, n: number, allow: (i: number) => boolean, exclude: ReadonlySet<number> | undefined, includePurchased: boolean): ScoredItem[] {
    const r = state.model.recommender;
    const allowed = exclude ? (i: number) => allow(i) && !exclude.has(i) : allow;
    if (includePurchased) {
      // the cached list leaves the purchases out, so it cannot rank them: score afresh
      const bought = this.boughtItems(state, customerId);
      return bought.length > 0 ? r.recommendFromItems(bought, n, allow, exclude, { includePurchased }) : r.popular(n, allowed);
    }
    const entry = this.foldInEntry(state, customerId);
    if (!entry) return r.popular(n, allowed);
    const { items, scores } = entry;
    const out: ScoredItem[] = [];
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      if (!allow(item) || exclude?.has(item)) continue;
      out.push({ item, score: scores[k]! });
      if (out.length === n) return out;
    }
    // the cached list is complete when shorter than its depth: nothing else qualifies
    if (items.length < FOLD_IN_DEPTH) return out;
    return r.recommendFromItems(this.boughtItems(state, customerId), n, allow, exclude);
  }

  /**
   * The customer's cached fold-in list, computed if missing or stale; undefined when they bought
   * nothing the model knows. A fresh entry is returned without collecting the customer's purchases
   * (they only change with the generation, which marks it stale).
   */
  private foldInEntry(state: ServingState, customerId: string): FoldInEntry | undefined {
    const r = state.model.recommender;
    if (this.foldInModel !== r.version) {
      this.foldIns.clear();
      this.foldInModel = r.version;
    }
    const generation = state.fresh.generationOf(customerId);
    const cached = this.foldIns.get(customerId);
    if (cached && cached.generation === generation) return cached;
    const bought = this.boughtItems(state, customerId);
    if (bought.length === 0) return undefined;
    if (this.foldIns.size >= FOLD_IN_CACHE_MAX) this.foldIns.clear();
    const list = r.recommendFromItems(bought, FOLD_IN_DEPTH);
    const entry = { generation, items: Int32Array.from(list, (x) => x.item), scores: Float32Array.from(list, (x) => x.score) };
    this.foldIns.set(customerId, entry);
    return entry;
  }

  /** Model item indices the customer bought: training history plus fresh purchases the model knows. */
  private boughtItems(state: ServingState, customerId: string): number[] {
    const r = state.model.recommender;
    const set = new Set<number>();
    const u = r.customerIndex(customerId);
    if (u !== undefined) {
      const h = r.state.history;
      for (let k = h.rowPtr[u]!; k < h.rowPtr[u + 1]!; k++) set.add(h.colIdx[k]!);
    }
    for (const id of state.fresh.items(customerId) ?? []) {
      const i = r.itemIndex(id);
      if (i !== undefined) set.add(i);
    }
    return [...set];
  }

  private indices(r: LoadedRecommender['recommender'], ids: readonly string[] | undefined): Set<number> | undefined {
    if (!ids || ids.length === 0) return undefined;
    const out = new Set<number>();
    for (const id of ids) {
      const i = r.itemIndex(id);
      if (i !== undefined) out.add(i);
    }
    return out;
  }

  private describe(model: ServingState, scored: readonly ScoredItem[]): RecommendedItem[] {
    const ids = model.model.recommender.itemIds;
    return scored.map(({ item, score }) => {
      const e = model.flags.entry(item);
      return { itemId: ids[item]!, score, title: e?.title ?? null, category: e?.category ?? null, price: e?.price ?? null };
    });
  }
}

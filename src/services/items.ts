// Catalog writes from the API, and popularity over a chosen window. Writes update this replica's
// snapshot at once, so a deactivated item stops being recommended on the next request.
import type { Db } from '../db/client.ts';
import { upsertItems, type ItemPatch } from '../db/queries/items.ts';
import { popularItems } from '../db/queries/purchases.ts';
import type { CatalogSnapshot } from './catalog-snapshot.ts';
import type { RecommendationService, RecommendedItem } from './recommendations.ts';

/** One item's fields to store; fields left undefined keep their stored value. */
export type { ItemPatch };

/** Windowed popularity needs a scan of purchases: cached per (window, category) for this long. */
const POPULAR_TTL_MS = 60_000;

export class ItemService {
  private readonly popularCache = new Map<string, { at: number; rows: { itemId: string; score: number }[] }>();

  constructor(
    private readonly db: Db,
    private readonly catalog: CatalogSnapshot,
    private readonly recommendations: RecommendationService,
  ) {}

  /** Upserts items; a batch naming one id twice keeps the last patch. */
  async upsert(patches: ItemPatch[]): Promise<number> {
    const byId = new Map(patches.map((p) => [p.externalId, p]));
    const rows = await upsertItems(this.db, [...byId.values()]);
    this.catalog.apply(rows);
    return rows.length;
  }

  /**
   * Most bought items: from the model's training window when `windowDays` is absent, else by
   * distinct buyers over the last `windowDays` of purchase data (live catalog rules either way).
   */
  async popular(options: { limit: number; category?: string | undefined; windowDays?: number | undefined }): Promise<{ modelVersion: string | null; items: RecommendedItem[] }> {
    const categories = options.category === undefined ? undefined : [options.category];
    if (options.windowDays === undefined) return this.recommendations.popular({ limit: options.limit, categories });
    const key = `${options.windowDays}|${options.category ?? ''}|${options.limit}`;
    let cached = this.popularCache.get(key);
    if (!cached || Date.now() - cached.at > POPULAR_TTL_MS) {
      const rows = await popularItems(this.db, options.windowDays, options.category, options.limit);
      cached = { at: Date.now(), rows: rows.map((r) => ({ itemId: r.itemId, score: r.buyers })) };
      this.popularCache.set(key, cached);
    }
    // the cache may be older than a catalog change: re-check the snapshot
    const live = cached.rows.filter((r) => {
      const e = this.catalog.get(r.itemId);
      return e !== undefined && e.eligible && e.inStock;
    });
    return { modelVersion: null, items: this.recommendations.describeIds(live) };
  }
}

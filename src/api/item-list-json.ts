// The bodies of the hot routes (a customer's recommendations, similar items) written as strings from
// per-item parts kept between requests: byte for byte what JSON.stringify gives for the objects of
// recommendationsJson / itemJson (test/api/item-list-json.test.ts). Why: under load, building ten
// item objects and JSON.stringify of the ~1.2 KB answer were the largest share of a recommendation
// request's own CPU (bench/serve/README.md); an item's id, title, category and price change rarely,
// its score on every request.
import type { Recommendations, RecommendedItem } from '../services/recommendations.ts';

/** The headers c.json sets: the hot routes answer with c.body(string, status, JSON_HEADERS). */
export const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;

/** An item's JSON around its score: `{"item_id":…,"score":` and `,"title":…,"category":…,"price":…}`. */
interface ItemParts {
  title: string | null;
  category: string | null;
  price: number | null;
  head: string;
  tail: string;
}

/** Items with parts kept; beyond it the parts are dropped and rebuilt (ids come from model catalogs, so rarely). */
const MAX_ITEMS = 200_000;

export class ItemListJson {
  private readonly parts = new Map<string, ItemParts>();
  private modelVersion = '';
  private modelVersionJson = '""';

  /** `{"customer_id":…,"source":…,"model_version":…,"recommendation_id":…,"items":[…]}` */
  recommendations(r: Recommendations): string {
    return `{"customer_id":${JSON.stringify(r.customerId)},"source":${JSON.stringify(r.source)},"model_version":${this.version(r.modelVersion)},"recommendation_id":${JSON.stringify(r.recommendationId)},"items":${this.items(r.items)}}`;
  }

  /** `{"model_version":…,"items":[…]}` */
  itemList(modelVersion: string | null, items: readonly RecommendedItem[]): string {
    return `{"model_version":${modelVersion === null ? 'null' : this.version(modelVersion)},"items":${this.items(items)}}`;
  }

  private items(items: readonly RecommendedItem[]): string {
    let out = '[';
    for (let k = 0; k < items.length; k++) {
      const item = items[k]!;
      const p = this.partsOf(item);
      out += `${k === 0 ? '' : ','}${p.head}${jsonNumber(Number(item.score.toPrecision(7)))}${p.tail}`;
    }
    return `${out}]`;
  }

  private partsOf(item: RecommendedItem): ItemParts {
    const p = this.parts.get(item.itemId);
    // the catalog entry behind an item may have changed since the parts were built
    if (p && p.title === item.title && p.category === item.category && p.price === item.price) return p;
    if (this.parts.size >= MAX_ITEMS) this.parts.clear();
    const built = {
      title: item.title,
      category: item.category,
      price: item.price,
      head: `{"item_id":${JSON.stringify(item.itemId)},"score":`,
      tail: `,"title":${JSON.stringify(item.title)},"category":${JSON.stringify(item.category)},"price":${JSON.stringify(item.price)}}`,
    };
    this.parts.set(item.itemId, built);
    return built;
  }

  private version(v: string): string {
    if (v !== this.modelVersion) {
      this.modelVersion = v;
      this.modelVersionJson = JSON.stringify(v);
    }
    return this.modelVersionJson;
  }
}

/** A number as JSON.stringify writes it (non-finite numbers become null). */
function jsonNumber(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

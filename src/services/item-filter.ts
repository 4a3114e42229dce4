// Catalog rules as flags indexed by the active model's item numbers, so a filter check in the
// top-N loop is two array reads. Rebuilt when a model loads, patched when items change.
import type { ItemFilter, Recommender } from '../ml/cf/recommender.ts';
import type { CatalogEntry, CatalogSnapshot } from './catalog-snapshot.ts';

const ELIGIBLE = 1;
const IN_STOCK = 2;

export class ItemFlags {
  private readonly flags: Uint8Array;
  private readonly category: Int32Array;
  /** Catalog entry per model item: describing a result needs no string-keyed lookup. */
  private readonly entries: (CatalogEntry | undefined)[];
  private readonly categoryCodes = new Map<string, number>();
  /** Items of each category code, built on first use and dropped whenever an item changes. */
  private readonly byCategory = new Map<number, Int32Array>();

  constructor(
    readonly model: Recommender,
    private readonly catalog: CatalogSnapshot,
  ) {
    this.flags = new Uint8Array(model.itemIds.length);
    this.category = new Int32Array(model.itemIds.length);
    this.entries = new Array<CatalogEntry | undefined>(model.itemIds.length);
    model.itemIds.forEach((_, i) => this.update(i));
  }

  /** Re-reads the given items from the catalog (ids the model does not know are ignored). */
  patch(externalIds: readonly string[]): void {
    for (const id of externalIds) {
      const i = this.model.itemIndex(id);
      if (i !== undefined) this.update(i);
    }
  }

  /**
   * The filter for one request: eligible (active and recommendable), in stock unless the caller
   * opts out, and in one of `categories` when given. Items missing from the catalog never pass.
   * A category filter lists its categories' items as `members`, so scorers can skip the rest.
   */
  filter(options: { categories?: readonly string[] | undefined; inStock: boolean }): ItemFilter {
    const need = options.inStock ? ELIGIBLE | IN_STOCK : ELIGIBLE;
    const flags = this.flags;
    if (!options.categories || options.categories.length === 0) return (i) => (flags[i]! & need) === need;
    // a category no item has matches nothing (not the uncategorised items, whose code is −1)
    const codes = new Set(options.categories.flatMap((c) => this.categoryCodes.get(c) ?? []));
    const category = this.category;
    const allow = (i: number) => (flags[i]! & need) === need && codes.has(category[i]!);
    return Object.assign(allow, { members: this.members(codes) });
  }

  private members(codes: ReadonlySet<number>): Int32Array {
    const lists = [...codes].map((c) => this.categoryItems(c));
    if (lists.length === 1) return lists[0]!;
    const out = new Int32Array(lists.reduce((n, l) => n + l.length, 0));
    let at = 0;
    for (const l of lists) {
      out.set(l, at);
      at += l.length;
    }
    return out; // in any order: scoring and top-N do not depend on it
  }

  private categoryItems(code: number): Int32Array {
    let items = this.byCategory.get(code);
    if (!items) {
      const found: number[] = [];
      for (let i = 0; i < this.category.length; i++) if (this.category[i] === code) found.push(i);
      this.byCategory.set(code, (items = Int32Array.from(found)));
    }
    return items;
  }

  entry(i: number): CatalogEntry | undefined {
    return this.entries[i];
  }

  private update(i: number): void {
    this.byCategory.clear();
    const entry = this.catalog.get(this.model.itemIds[i]!);
    this.entries[i] = entry;
    if (!entry) {
      this.flags[i] = 0;
      this.category[i] = -1;
      return;
    }
    this.flags[i] = (entry.eligible ? ELIGIBLE : 0) | (entry.inStock ? IN_STOCK : 0);
    this.category[i] = entry.category === null ? -1 : this.code(entry.category);
  }

  private code(category: string): number {
    let c = this.categoryCodes.get(category);
    if (c === undefined) this.categoryCodes.set(category, (c = this.categoryCodes.size));
    return c;
  }
}

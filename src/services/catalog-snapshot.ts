// The catalog in memory: what recommendation filters read on every request, so the hot path
// never waits for the database. Writes through this replica apply at once; writes by other
// replicas arrive through the sync loop (src/services/replica-sync.ts).
import type { CatalogRow } from '../db/queries/items.ts';

export interface CatalogEntry {
  title: string | null;
  category: string | null;
  price: number | null;
  /** active && recommendable: may ever be recommended. */
  eligible: boolean;
  inStock: boolean;
}

export type CatalogListener = (changed: readonly string[]) => void;

export class CatalogSnapshot {
  private readonly entries = new Map<string, CatalogEntry>();
  private readonly listeners: CatalogListener[] = [];

  get size(): number {
    return this.entries.size;
  }

  get(externalId: string): CatalogEntry | undefined {
    return this.entries.get(externalId);
  }

  onChange(listener: CatalogListener): void {
    this.listeners.push(listener);
  }

  apply(rows: readonly CatalogRow[]): void {
    if (rows.length === 0) return;
    for (const r of rows) {
      this.entries.set(r.externalId, {
        title: r.title,
        category: r.category,
        price: r.price,
        eligible: r.active && r.recommendable,
        inStock: r.inStock,
      });
    }
    const ids = rows.map((r) => r.externalId);
    for (const l of this.listeners) l(ids);
  }
}

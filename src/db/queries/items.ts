// Catalog rows for the service: upserts from the API and the snapshot the hot path reads.
import { gt, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { items, type Item } from '../schema/index.ts';

export type ItemPatch = Pick<Item, 'externalId'> & Partial<Pick<Item, 'title' | 'category' | 'price' | 'active' | 'inStock' | 'recommendable' | 'attributes'>>;

export type CatalogRow = Pick<Item, 'externalId' | 'title' | 'category' | 'price' | 'active' | 'inStock' | 'recommendable' | 'updatedAt'>;

const catalogColumns = {
  externalId: items.externalId,
  title: items.title,
  category: items.category,
  price: items.price,
  active: items.active,
  inStock: items.inStock,
  recommendable: items.recommendable,
  updatedAt: items.updatedAt,
};

/**
 * Inserts or updates items; fields left out of a patch keep their stored value. One statement per
 * distinct field set, so a batch costs a handful of round trips.
 */
export async function upsertItems(db: Db, patches: ItemPatch[]): Promise<CatalogRow[]> {
  const groups = new Map<string, ItemPatch[]>();
  for (const p of patches) {
    const key = Object.keys(p).filter((k) => p[k as keyof ItemPatch] !== undefined).sort().join(',');
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const out: CatalogRow[] = [];
  await db.transaction(async (tx) => {
    for (const [key, group] of groups) {
      const fields = key.split(',').filter((k) => k !== 'externalId') as (keyof ItemPatch)[];
      const set: Record<string, unknown> = { updatedAt: sql`now()` };
      for (const f of fields) set[f] = sql.raw(`excluded.${items[f].name}`);
      const rows = await tx
        .insert(items)
        .values(group)
        .onConflictDoUpdate({ target: items.externalId, set })
        .returning(catalogColumns);
      out.push(...rows);
    }
  });
  return out;
}

export function allCatalogRows(db: Db): Promise<CatalogRow[]> {
  return db.select(catalogColumns).from(items);
}

export function catalogRowsChangedSince(db: Db, since: Date): Promise<CatalogRow[]> {
  return db.select(catalogColumns).from(items).where(gt(items.updatedAt, since));
}

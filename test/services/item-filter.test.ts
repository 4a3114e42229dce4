import { describe, it, expect } from 'vitest';
import type { Recommender } from '../../src/ml/cf/recommender.ts';
import { CatalogSnapshot } from '../../src/services/catalog-snapshot.ts';
import { ItemFlags } from '../../src/services/item-filter.ts';

// 12 model items: i0…i11; categories a (i % 3 = 0), b (i % 3 = 1), none (i % 3 = 2); i4 out of stock; i9 not in the catalog.
const itemIds = Array.from({ length: 12 }, (_, i) => `i${i}`);
const index = new Map(itemIds.map((id, i) => [id, i]));
const model = { itemIds, itemIndex: (id: string) => index.get(id) } as unknown as Recommender;
const row = (i: number, patch: Partial<{ category: string | null; inStock: boolean }> = {}) => ({
  externalId: `i${i}`, title: `Item ${i}`, category: (['a', 'b', null] as const)[i % 3]!, price: 1, active: true, recommendable: true, inStock: i !== 4, updatedAt: new Date(0), ...patch,
});

function flags(): { catalog: CatalogSnapshot; flags: ItemFlags } {
  const catalog = new CatalogSnapshot();
  catalog.apply(itemIds.map((_, i) => row(i)).filter((r) => r.externalId !== 'i9'));
  return { catalog, flags: new ItemFlags(model, catalog) };
}
const passing = (f: (i: number) => boolean) => itemIds.map((_, i) => i).filter(f);

describe('ItemFlags.filter', () => {
  it('lists the categories\' items as members, a superset of what passes', () => {
    const { flags: f } = flags();
    const one = f.filter({ categories: ['b'], inStock: true });
    expect(passing(one)).toEqual([1, 7, 10]);
    expect([...one.members!]).toEqual([1, 4, 7, 10]);
    const two = f.filter({ categories: ['b', 'a'], inStock: false });
    expect(passing(two)).toEqual([0, 1, 3, 4, 6, 7, 10]);
    expect([...two.members!].sort((x, y) => x - y)).toEqual([0, 1, 3, 4, 6, 7, 10]); // i9: not in the catalog, no category
    expect(f.filter({ inStock: true }).members).toBeUndefined();
  });

  it('matches nothing for a category no item has, not the uncategorised items', () => {
    const { flags: f } = flags();
    const unknown = f.filter({ categories: ['no-such-category'], inStock: false });
    expect(passing(unknown)).toEqual([]);
    expect([...unknown.members!]).toEqual([]);
  });

  it('follows catalog changes: an item moved to another category changes both lists', () => {
    const { catalog, flags: f } = flags();
    f.filter({ categories: ['a'], inStock: true });
    catalog.apply([row(1, { category: 'a' })]);
    f.patch(['i1']);
    const a = f.filter({ categories: ['a'], inStock: true });
    expect(passing(a)).toEqual([0, 1, 3, 6]);
    expect([...a.members!]).toEqual([0, 1, 3, 6]);
  });
});

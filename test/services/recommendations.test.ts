import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../helpers/db.ts';
import { HISTORY, ITEMS, openShop, type Shop } from '../api/fixture.ts';

// The service's answers against the model queried directly: caching and filters never change them.
describe('recommendation service', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await openShop(await openTestDatabase('pglite'));
  }, 60_000);
  afterAll(async () => {
    await shop?.close();
    await shop?.database.close();
  });

  const model = () => shop.runtime.models.current!.recommender;
  const idx = (id: string) => model().itemIndex(id)!;
  const eligible = new Set(ITEMS.filter((i) => i.recommendable !== false).map((i) => i.externalId));

  it('answers known customers exactly as the model with the catalog filter', () => {
    for (const c of Object.keys(HISTORY)) {
      const got = shop.runtime.recommendations.forCustomer(c, { limit: 4, categories: ['bags'] }).items;
      const want = model().recommend(model().customerIndex(c)!, 4, (i) => eligible.has(model().itemIds[i]!) && ITEMS.find((x) => x.externalId === model().itemIds[i])!.category === 'bags');
      expect(got.map((g) => [g.itemId, g.score])).toEqual(want.map((w) => [model().itemIds[w.item], w.score]));
    }
  });

  it('serves fold-in from its cache exactly as a fresh computation, filters included, and recomputes after a new purchase', async () => {
    const rec = shop.runtime.recommendations;
    const bought = (extra: string[]) => [...HISTORY.c7!, ...extra].map(idx);
    await shop.runtime.events.ingest([{ index: 0, event: { eventId: 'svc-1', type: 'purchase', customerId: 'c7', itemId: 'bag-jute', quantity: 1, occurredAt: new Date('2011-10-01T00:00:00Z') } }], []);
    while (rec.pendingPrefetch > 0) await new Promise((r) => setImmediate(r));
    const allow = (i: number) => eligible.has(model().itemIds[i]!);
    for (const [limit, categories] of [[3, undefined], [2, ['mugs']], [5, ['home', 'bags']]] as const) {
      const got = rec.forCustomer('c7', { limit, categories }).items.map((g) => [g.itemId, g.score]);
      const cats = categories as readonly string[] | undefined;
      const filter = (i: number) => allow(i) && (!cats || cats.includes(ITEMS.find((x) => x.externalId === model().itemIds[i])!.category ?? ''));
      const want = model().recommendFromItems(bought(['bag-jute']), limit, filter).map((w) => [model().itemIds[w.item], w.score]);
      expect(got).toEqual(want);
    }
    await shop.runtime.events.ingest([{ index: 0, event: { eventId: 'svc-2', type: 'purchase', customerId: 'c7', itemId: 'mug-green', quantity: 1, occurredAt: new Date('2011-10-02T00:00:00Z') } }], []);
    const after = rec.forCustomer('c7', { limit: 10 }).items.map((g) => g.itemId);
    expect(after).not.toContain('mug-green');
    expect(after).toEqual(model().recommendFromItems(bought(['bag-jute', 'mug-green']), 10, allow).map((w) => model().itemIds[w.item]));
  });

  it('ignores exclusions of unknown items and honours known ones', () => {
    const base = shop.runtime.recommendations.forCustomer('c1', { limit: 3 }).items.map((i) => i.itemId);
    const without = shop.runtime.recommendations.forCustomer('c1', { limit: 3, exclude: [base[0]!, 'no-such-item'] }).items.map((i) => i.itemId);
    expect(without).not.toContain(base[0]);
    expect(without.slice(0, 2)).toEqual(base.slice(1, 3));
  });
});

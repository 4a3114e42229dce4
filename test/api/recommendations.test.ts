import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/api/app.ts';
import { testEngines } from '../helpers/db.ts';
import { closeShop, HISTORY, ITEMS, openShopApp, type Shop } from './fixture.ts';

describe.each(testEngines())('recommendation endpoints (%s)', (engine) => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp(engine));
  }, 60_000);
  afterAll(() => closeShop(shop));

  const get = async (path: string) => {
    const res = await app.request(path);
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as any };
  };

  it('personalises for a known customer, never returning what they bought or non-products', async () => {
    const { status, body } = await get('/v1/customers/c1/recommendations?limit=5');
    expect(status).toBe(200);
    expect(body.source).toBe('personalized');
    expect(body.model_version).toBe(shop.runtime.models.current!.manifest.version);
    expect(body.recommendation_id).toMatch(/^[0-9a-f-]{36}$/);
    const ids = body.items.map((i: { item_id: string }) => i.item_id);
    expect(ids.length).toBe(5);
    for (const bought of HISTORY.c1!) expect(ids).not.toContain(bought);
    expect(ids).not.toContain('POST');
    // a mug buyer's best pick is the mug they lack, not a bag
    expect(['mug-green', 'mug-big']).toContain(ids[0]);
    expect(body.items[0]).toMatchObject({ title: expect.any(String), category: 'mugs' });
  });

  it('gives unknown customers the popularity fallback, not an error', async () => {
    const { status, body } = await get('/v1/customers/nobody/recommendations?limit=3');
    expect(status).toBe(200);
    expect(body.source).toBe('fallback');
    expect(body.items.map((i: { item_id: string }) => i.item_id)).not.toContain('POST');
    const scores = body.items.map((i: { score: number }) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  /**
   * The served model's own answer, worked out here from its factors: ALS scores are user · item
   * (in doubles), the customer's purchases and non-recommendable items are left out, best first.
   */
  const expected = (customer: string, keep: (item: (typeof ITEMS)[number]) => boolean, limit: number) => {
    const r = shop.runtime.models.current!.recommender;
    const scorer = r.state.scorer;
    if (scorer.algorithm !== 'als') throw new Error('the fixture model is ALS');
    const u = r.customerIndex(customer)!;
    const k = scorer.factors;
    return ITEMS.filter((i) => i.recommendable !== false && !HISTORY[customer]!.includes(i.externalId) && keep(i))
      .map((i) => {
        const j = r.itemIndex(i.externalId)!;
        let score = 0;
        for (let f = 0; f < k; f++) score += scorer.userFactors[u * k + f]! * scorer.itemFactors[j * k + f]!;
        return { item_id: i.externalId, score, category: i.category };
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  };
  const expectItems = (got: { item_id: string; score: number; category: string | null }[], want: ReturnType<typeof expected>) => {
    expect(got.map((i) => i.item_id)).toEqual(want.map((i) => i.item_id));
    got.forEach((g, n) => {
      expect(g.score).toBeCloseTo(want[n]!.score, 5);
      expect(g.category).toBe(want[n]!.category);
    });
  };

  it('applies category (repeatable), exclude and limit exactly', async () => {
    // c4 bought two bags and postage: every mug is a candidate, in the model's order
    const one = await get('/v1/customers/c4/recommendations?category=mugs&limit=10');
    const mugs = expected('c4', (i) => i.category === 'mugs', 10);
    expect(mugs.map((i) => i.item_id).sort()).toEqual(['mug-big', 'mug-blue', 'mug-green', 'mug-red']);
    expectItems(one.body.items, mugs);
    const two = await get('/v1/customers/c4/recommendations?category=mugs&category=home&exclude=mug-red,lamp&limit=10');
    const mugsAndHome = expected('c4', (i) => ['mugs', 'home'].includes(i.category ?? '') && !['mug-red', 'lamp'].includes(i.externalId), 10);
    expect(mugsAndHome.map((i) => i.item_id).sort()).toEqual(['mug-big', 'mug-blue', 'mug-green']);
    expectItems(two.body.items, mugsAndHome);
    const comma = await get('/v1/customers/c4/recommendations?category=mugs,home&exclude=mug-red&exclude=lamp&limit=2');
    expectItems(comma.body.items, mugsAndHome.slice(0, 2));
    // no category filter: the whole catalog less c4's purchases and postage, cut at the limit
    const all = await get('/v1/customers/c4/recommendations?limit=4');
    expectItems(all.body.items, expected('c4', () => true, 4));
  });

  it('drops items made inactive or out of stock at once, and in_stock=false lets out-of-stock back', async () => {
    const before = await get('/v1/customers/c1/recommendations?limit=1');
    const top = before.body.items[0].item_id as string;
    let res = await app.request(`/v1/items/${top}`, { method: 'PUT', body: JSON.stringify({ in_stock: false }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const after = await get('/v1/customers/c1/recommendations?limit=10');
    expect(after.body.items.map((i: { item_id: string }) => i.item_id)).not.toContain(top);
    const optIn = await get('/v1/customers/c1/recommendations?limit=1&in_stock=false');
    expect(optIn.body.items[0].item_id).toBe(top);
    res = await app.request('/v1/items', {
      method: 'PUT',
      body: JSON.stringify({ items: [{ item_id: top, in_stock: true, active: false }] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const inactive = await get('/v1/customers/c1/recommendations?limit=10&in_stock=false');
    expect(inactive.body.items.map((i: { item_id: string }) => i.item_id)).not.toContain(top);
    await app.request('/v1/items', { method: 'PUT', body: JSON.stringify({ items: [{ item_id: top, active: true }] }), headers: { 'content-type': 'application/json' } });
  });

  it('counts a purchase sent as an event at once (fold-in) and stops recommending it', async () => {
    const before = await get('/v1/customers/c4/recommendations?limit=3&category=bags');
    const bought = before.body.items[0].item_id as string;
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_id: 'e-fold-1', type: 'purchase', customer_id: 'c4', item_id: bought, occurred_at: '2011-10-01T10:00:00Z', price: 9 }] }),
    });
    expect(res.status).toBe(200);
    const after = await get('/v1/customers/c4/recommendations?limit=10');
    expect(after.body.source).toBe('personalized');
    expect(after.body.items.map((i: { item_id: string }) => i.item_id)).not.toContain(bought);
  });

  it('personalises a brand-new customer from their first purchase', async () => {
    await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_id: 'e-new-1', type: 'purchase', customer_id: 'newbie', item_id: 'bag-tote', occurred_at: '2011-10-02T10:00:00Z' }] }),
    });
    const { body } = await get('/v1/customers/newbie/recommendations?limit=2');
    expect(body.source).toBe('personalized');
    expect(body.items.map((i: { item_id: string }) => i.item_id)).not.toContain('bag-tote');
  });

  it('recommends items already bought only with include_purchased=true, never non-products', async () => {
    const ids = (body: any) => body.items.map((i: { item_id: string }) => i.item_id) as string[];
    const products = HISTORY.c1!.filter((id) => id !== 'POST');
    const plain = await get('/v1/customers/c1/recommendations?limit=20');
    const repeat = await get('/v1/customers/c1/recommendations?limit=20&include_purchased=true');
    expect(repeat.status).toBe(200);
    for (const id of products) {
      expect(ids(plain.body)).not.toContain(id);
      expect(ids(repeat.body)).toContain(id);
    }
    expect(ids(repeat.body)).not.toContain('POST');
    expect(ids(repeat.body).filter((id) => !products.includes(id))).toEqual(ids(plain.body));
    // fresh purchases (fold-in) come back too, and the batch form takes the same option
    await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_id: 'e-repeat-1', type: 'purchase', customer_id: 'repeater', item_id: 'lamp', occurred_at: '2011-10-03T10:00:00Z' }] }),
    });
    expect(ids((await get('/v1/customers/repeater/recommendations?limit=20')).body)).not.toContain('lamp');
    expect(ids((await get('/v1/customers/repeater/recommendations?limit=20&include_purchased=true')).body)).toContain('lamp');
    const res = await app.request('/v1/recommendations/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_ids: ['c1', 'repeater'], limit: 20, include_purchased: true }),
    });
    const batch = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(ids(batch.results[0])).toEqual(ids(repeat.body));
    expect(ids(batch.results[1])).toContain('lamp');
    const doc = (await get('/openapi.json')).body;
    expect(doc.paths['/v1/customers/{customer_id}/recommendations'].get.parameters.map((p: { name: string }) => p.name)).toContain('include_purchased');
  });

  it('answers a batch in request order and refuses more than 1,000 customers', async () => {
    const res = await app.request('/v1/recommendations/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_ids: ['c2', 'ghost', 'c5'], limit: 2 }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.results.map((r: { customer_id: string; source: string }) => [r.customer_id, r.source])).toEqual([
      ['c2', 'personalized'],
      ['ghost', 'fallback'],
      ['c5', 'personalized'],
    ]);
    const tooMany = await app.request('/v1/recommendations/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_ids: Array.from({ length: 1001 }, (_, i) => `x${i}`) }),
    });
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as any).fields[0].path).toBe('json.customer_ids');
  });

  it('lists similar items and popular items with the same filters', async () => {
    const similar = await get('/v1/items/mug-red/similar?limit=3');
    expect(similar.status).toBe(200);
    expect(similar.body.items.map((i: { item_id: string }) => i.item_id)).not.toContain('mug-red');
    expect(similar.body.items.map((i: { item_id: string }) => i.item_id)).not.toContain('POST');
    const unknown = await get('/v1/items/nope/similar');
    expect(unknown.status).toBe(404);
    expect(unknown.type).toBe('application/problem+json');
    const popular = await get('/v1/items/popular?category=bags&limit=2');
    expect(popular.body.items.length).toBe(2);
    expect(popular.body.items.every((i: { category: string }) => i.category === 'bags')).toBe(true);
    const windowed = await get('/v1/items/popular?window_days=30&limit=20');
    expect(windowed.status).toBe(200);
    expect(windowed.body.items.map((i: { item_id: string }) => i.item_id)).not.toContain('POST');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonBodyWriter } from '../../src/api/json-bodies.ts';
import { itemJson } from '../../src/api/schemas.ts';
import type { RecommendedItem, Recommendations } from '../../src/services/recommendations.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { closeShop, openShop, type Shop } from './fixture.ts';

// The writer's contract: the UTF-8 bytes of JSON.stringify of the same answer built as objects.
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const objects = (r: Recommendations) => JSON.stringify({ customer_id: r.customerId, source: r.source, model_version: r.modelVersion, recommendation_id: r.recommendationId, items: r.items.map(itemJson) });
const list = (modelVersion: string | null, items: RecommendedItem[]) => JSON.stringify({ model_version: modelVersion, items: items.map(itemJson) });
const answer = (items: RecommendedItem[], customerId = 'c1'): Recommendations => ({ customerId, source: 'personalized', modelVersion: 'v1', recommendationId: '0b7a6c1e-3d43-4d43-9a57-5b1c3f1f9d10', items });
const item = (score: number, over: Partial<RecommendedItem> = {}): RecommendedItem => ({ itemId: 'i1', score, title: 'Mug', category: 'mugs', price: 9.5, ...over });

describe('JsonBodyWriter', () => {
  it('writes what JSON.stringify writes for float32 scores of every magnitude and sign', () => {
    const writer = new JsonBodyWriter();
    const rng = createRng(14);
    const f32 = new Float32Array(1);
    const bits = new Uint32Array(f32.buffer);
    const scores: number[] = [];
    for (let k = 0; k < 20_000; k++) {
      bits[0] = Math.floor(rng.next() * 2 ** 32);
      scores.push(f32[0]!);
    }
    // float32 neighbours of powers of ten (where the exponent guess is off by one) and of 1e-6 and 1e7
    for (let e = -8; e <= 8; e++) {
      f32[0] = 10 ** e;
      const base = bits[0]!;
      for (let d = -300; d <= 300; d++) {
        bits[0] = base + d;
        scores.push(f32[0]!, -f32[0]!);
      }
    }
    // exact ties at the 8th digit, rounding that carries into a new digit, and the values JSON writes as null
    scores.push(2 ** -11, 0.00048828125, 9999999.5, 0.99999995, 0.5, 1, 0, -0, 123, 1e-7, 1e21, NaN, Infinity, -Infinity);
    for (let k = 0; k < scores.length; k += 10) {
      const items = scores.slice(k, k + 10).map((s, j) => item(s, { itemId: `i${j}` }));
      expect(text(writer.recommendations(answer(items)))).toBe(objects(answer(items)));
    }
  });

  it('escapes ids, titles and categories as JSON.stringify does, and nulls', () => {
    const writer = new JsonBodyWriter();
    const odd = ['quote " and \\ backslash', 'tab\tnew\nline', 'ünïcödé €', '😀 pair', 'ctrl \u0001 \u007f', ''];
    for (const s of odd) {
      const items = [item(0.25, { itemId: s, title: s, category: s }), item(0.125, { itemId: `${s}-2`, title: null, category: null, price: null })];
      expect(text(writer.recommendations(answer(items, s)))).toBe(objects(answer(items, s)));
      expect(text(writer.itemList({ modelVersion: null, items }))).toBe(list(null, items));
    }
  });

  it('writes prices as JSON.stringify does: whole, fractional, negative, large', () => {
    const writer = new JsonBodyWriter();
    const prices = [0, -0, 7, 10, 1999, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 9.5, 0.1, 1e-7, -3, 1e21];
    const items = prices.map((price, k) => item(0.5, { itemId: `i${k}`, price }));
    expect(text(writer.itemList({ modelVersion: 'v1', items }))).toBe(list('v1', items));
  });

  it('writes bodies larger than its first buffer', () => {
    const writer = new JsonBodyWriter();
    const items = Array.from({ length: 300 }, (_, k) => item(1 / (k + 3), { itemId: `item-${k}`, title: 'x'.repeat(200) }));
    expect(text(writer.itemList({ modelVersion: 'v1', items }))).toBe(list('v1', items));
  });

  it("writes an at-risk page as its entries' JSON with their items put in, and the cursor", () => {
    const writer = new JsonBodyWriter();
    // entries as the database writes them: any UTF-8, the reasons' jsonb text with its spaces
    const entries = [
      { json: '{"customer_id":"c1","email":"ü@example.com","scores":{"reasons":[{"detail": "€ 12 – \\"q\\"", "effect": 0.5}]}}', recommendations: [item(0.5), item(1 / 3, { itemId: 'i2', price: null })] },
      { json: '{"customer_id":"c2","email":null,"scores":null}' },
      { json: '{"customer_id":"c3","email":null,"scores":{}}', recommendations: [] },
    ];
    const expected = (cursor: string | null) =>
      JSON.stringify({
        customers: entries.map((e) => ({ ...(JSON.parse(e.json) as object), ...(e.recommendations && { recommendations: e.recommendations.map(itemJson) }) })),
        next_cursor: cursor,
      });
    const page = (cursor: string | null) => text(writer.atRiskPage(entries, cursor));
    expect(JSON.parse(page('WzEsMl0'))).toEqual(JSON.parse(expected('WzEsMl0')));
    expect(page(null)).toBe(`{"customers":[${entries[0]!.json.slice(0, -1)},"recommendations":${JSON.stringify(entries[0]!.recommendations!.map(itemJson))}},${entries[1]!.json},${entries[2]!.json.slice(0, -1)},"recommendations":[]}],"next_cursor":null}`);
    expect(text(writer.atRiskPage([], null))).toBe('{"customers":[],"next_cursor":null}');
  });

  describe('on a trained model', () => {
    let shop: Shop;
    beforeAll(async () => {
      shop = await openShop(await openTestDatabase('pglite'));
    }, 60_000);
    afterAll(() => closeShop(shop));

    it("matches JSON.stringify on every customer's and every item's answer", () => {
      const writer = new JsonBodyWriter();
      const r = shop.runtime.models.current!.recommender;
      for (const id of [...r.state.customerIds, 'nobody']) {
        const rec = shop.runtime.recommendations.forCustomer(id, { limit: 20, inStock: false });
        expect(text(writer.recommendations(rec))).toBe(objects(rec));
      }
      for (const id of r.itemIds) {
        const similar = shop.runtime.recommendations.similar(id, { limit: 20 });
        expect(text(writer.itemList(similar))).toBe(list(similar.modelVersion, similar.items));
      }
    });
  });
});

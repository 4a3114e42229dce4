import { describe, expect, it } from 'vitest';
import { ItemListJson } from '../../src/api/item-list-json.ts';
import { itemJson } from '../../src/api/schemas.ts';
import type { Recommendations, RecommendedItem } from '../../src/services/recommendations.ts';

const items: RecommendedItem[] = [
  { itemId: '85123A', score: 0.123456789, title: 'WHITE HANGING HEART T-LIGHT HOLDER', category: 'home', price: 2.55 },
  { itemId: 'quote"and\\slash', score: -3.5e-8, title: 'line\nbreak, tab\t, é, 😀, \u0001', category: null, price: null },
  { itemId: 'item-3', score: Number.NaN, title: null, category: 'cat "x"', price: 0 },
  { itemId: 'item-4', score: 1e21, title: '', category: '', price: -0 },
  { itemId: 'item-5', score: Math.fround(0.1), title: '</script>', category: 'x', price: 1234567.891 },
];

const recommendations = (list: RecommendedItem[]): Recommendations => ({
  customerId: 'cust "12347"',
  source: 'personalized',
  modelVersion: '20261201T120000Z',
  recommendationId: '2f1c6f0e-4a7b-4c1e-9a55-0c7f1e3d2b10',
  items: list,
});

// what the routes answered with before: JSON.stringify of the response objects
const expected = (r: Recommendations) => JSON.stringify({ customer_id: r.customerId, source: r.source, model_version: r.modelVersion, recommendation_id: r.recommendationId, items: r.items.map(itemJson) });

describe('ItemListJson', () => {
  it('writes a recommendations body byte for byte as JSON.stringify of the response object', () => {
    const json = new ItemListJson();
    for (const list of [items, items.slice(1, 3), []]) expect(json.recommendations(recommendations(list))).toBe(expected(recommendations(list)));
    // twice: the second answer comes from the kept parts
    expect(json.recommendations(recommendations(items))).toBe(expected(recommendations(items)));
    expect(json.recommendations({ ...recommendations(items), source: 'fallback', modelVersion: 'v2' })).toBe(expected({ ...recommendations(items), source: 'fallback', modelVersion: 'v2' }));
  });

  it('writes a similar-items body, with or without a model version', () => {
    const json = new ItemListJson();
    expect(json.itemList('v1', items)).toBe(JSON.stringify({ model_version: 'v1', items: items.map(itemJson) }));
    expect(json.itemList(null, items)).toBe(JSON.stringify({ model_version: null, items: items.map(itemJson) }));
  });

  it('follows a catalog change of an item it has written before', () => {
    const json = new ItemListJson();
    json.itemList('v1', items);
    const changed = items.map((i) => (i.itemId === '85123A' ? { ...i, title: 'RED HEART', price: 3.1 } : i.itemId === 'item-3' ? { ...i, category: null } : i));
    const body = json.itemList('v1', changed);
    expect(body).toBe(JSON.stringify({ model_version: 'v1', items: changed.map(itemJson) }));
    expect(JSON.parse(body).items[0]).toMatchObject({ item_id: '85123A', title: 'RED HEART', price: 3.1 });
  });
});

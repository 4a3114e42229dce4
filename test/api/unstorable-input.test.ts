import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/api/app.ts';
import { findUnstorable, MAX_DEPTH } from '../../src/api/storable-input.ts';
import { testEngines } from '../helpers/db.ts';
import { closeShop, openShopApp, type Shop } from './fixture.ts';

interface Problem {
  status: number;
  code: string;
  message: string;
  fields: { path: string; message: string }[];
}

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('findUnstorable', () => {
  it('names the first NUL, lone surrogate, bad key or runaway nesting, and passes storable values', () => {
    expect(findUnstorable({ a: 'ok', b: ['😀', 'é', 12, null, true], c: { d: new Date(0) } })).toBeUndefined();
    expect(findUnstorable({ events: [{ id: 'e1' }, { id: 'e\u00002' }] })).toEqual({ path: 'events.1.id', message: expect.stringContaining('NUL') });
    expect(findUnstorable({ title: 'x\ud800y' })).toEqual({ path: 'title', message: expect.stringContaining('lone surrogate') });
    expect(findUnstorable({ title: 'x\udc00' })?.path).toBe('title');
    expect(findUnstorable({ attributes: { 'k\u0000': 1 } })).toEqual({ path: 'attributes', message: expect.stringContaining('key') });
    expect(findUnstorable('\u0000')).toEqual({ path: '', message: expect.any(String) });
    const nested = JSON.parse(deep(50_000)) as unknown;
    expect(findUnstorable({ attributes: nested })).toEqual({ path: `attributes${'.a'.repeat(MAX_DEPTH - 1)}`, message: `is nested deeper than ${MAX_DEPTH} levels` });
    expect(findUnstorable(JSON.parse(deep(MAX_DEPTH - 1)))).toBeUndefined();
  });
});

// The requests that answered 500 in issue 13, and their neighbours: each is a 400 naming the field.
describe.each(testEngines())('text the database cannot store, on %s', (engine) => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp(engine));
  }, 60_000);
  afterAll(() => closeShop(shop));

  const send = async (path: string, init: RequestInit = {}) => {
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: (text.startsWith('{') ? JSON.parse(text) : text) as Problem };
  };
  const json = (method: string, body: string) => ({ method, headers: { 'content-type': 'application/json' }, body });

  it.each([
    ['GET', '/v1/customers/%00', undefined, 'param.customer_id'],
    ['DELETE', '/v1/customers/x%00', undefined, 'param.customer_id'],
    ['PUT', '/v1/customers/x%00/consent', '{"unsubscribed":true}', 'param.customer_id'],
    ['GET', '/v1/churn/at-risk?segment=%00', undefined, 'query.segment'],
    ['GET', '/v1/churn/at-risk?format=csv&cursor=a%00', undefined, 'query.cursor'],
    ['GET', '/v1/items/popular?window_days=30&category=%00', undefined, 'query.category'],
    ['PUT', '/v1/items/x%00', '{"price":1}', 'param.item_id'],
    ['PUT', '/v1/items/x', '{"title":"a\\u0000b"}', 'json.title'],
    ['PUT', '/v1/items/x', '{"title":"\\ud800"}', 'json.title'],
    ['PUT', '/v1/items/x', '{"attributes":{"colour":["red","\\u0000"]}}', 'json.attributes.colour.1'],
    ['PUT', '/v1/items', '{"items":[{"item_id":"ok"},{"item_id":"\\u0000"}]}', 'json.items.1.item_id'],
    ['POST', '/v1/events', '{"events":[{"event_id":"e1","type":"purchase","customer_id":"c\\u00001","item_id":"lamp","occurred_at":"2011-12-01T00:00:00Z"}]}', 'json.events.0.customer_id'],
    ['POST', '/v1/events', '{"events":[{"event_id":"\\udfff","type":"view","customer_id":"c1","item_id":"lamp","occurred_at":"2011-12-01T00:00:00Z"}]}', 'json.events.0.event_id'],
    ['POST', '/v1/models/x%00/1/activate', undefined, 'param.kind'],
    ['GET', '/v1/customers/c1%00/recommendations', undefined, 'param.customer_id'],
    ['GET', '/v1/customers/c1/recommendations?exclude=%00', undefined, 'query.exclude.0'],
    ['GET', '/v1/items/mug-red/similar?category=mugs,%00', undefined, 'query.category.1'],
    ['POST', '/v1/recommendations/batch', '{"customer_ids":["c1","\\u0000"]}', 'json.customer_ids.1'],
  ])('%s %s is a 400 naming the field', async (method, path, body, field) => {
    const res = await send(path, body === undefined ? { method } : json(method, body));
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.code).toBe('invalid_request');
    expect(res.body.fields).toEqual([{ path: field, message: expect.stringMatching(/cannot be stored/) }]);
  });

  it('refuses an event batch with NUL whole: nothing of it is stored', async () => {
    const events = [
      { event_id: 'nul-ok', type: 'purchase', customer_id: 'nul-buyer', item_id: 'lamp', occurred_at: '2011-12-01T00:00:00Z' },
      { event_id: 'nul-bad', type: 'purchase', customer_id: 'nul-buyer', item_id: 'lamp\u0000', occurred_at: '2011-12-01T00:00:00Z' },
    ];
    expect((await send('/v1/events', json('POST', JSON.stringify({ events })))).status).toBe(400);
    expect((await send('/v1/customers/nul-buyer')).status).toBe(404);
  });

  it('refuses JSON nested without bound with 400 (JSON.stringify would overflow the stack on its way to jsonb)', async () => {
    const res = await send('/v1/items/x', json('PUT', `{"attributes":${deep(100_000)}}`));
    expect(res.status).toBe(400);
    expect(res.body.fields[0]!.path).toMatch(/^json\.attributes(\.a)+$/);
    expect(res.body.fields[0]!.message).toBe(`is nested deeper than ${MAX_DEPTH} levels`);
  });

  it('rejects events with instants or line numbers the columns cannot hold, one by one', async () => {
    const base = { type: 'purchase', customer_id: 'c1', item_id: 'lamp' };
    const events = [
      { ...base, event_id: 'year-0', occurred_at: '0000-06-01T00:00:00Z' },
      { ...base, event_id: 'year-10000', occurred_at: '9999-12-31T23:00:00-14:00' },
      { ...base, event_id: 'line-2e31', occurred_at: '2011-12-01T00:00:00Z', order_id: 'o-big', line_no: 2 ** 31 },
      { ...base, event_id: 'fine', occurred_at: '2011-12-01T00:00:00Z' },
    ];
    const res = await app.request('/v1/events', json('POST', JSON.stringify({ events })));
    expect(res.status).toBe(200);
    const out = (await res.json()) as { accepted: number; rejected: number; results: { event_id: string; status: string; error?: { message: string } }[] };
    expect(out.results.map((r) => [r.event_id, r.status])).toEqual([
      ['year-0', 'rejected'],
      ['year-10000', 'rejected'],
      ['line-2e31', 'rejected'],
      ['fine', 'accepted'],
    ]);
    expect(out.results[0]!.error!.message).toMatch(/occurred_at: must lie between 1900-01-01 and 9999-12-31/);
    expect(out.results[2]!.error!.message).toMatch(/line_no/);
  });

  it('answers dates outside the storable range and forged cursors with 400', async () => {
    for (const q of ['from=-271821-04-20&to=2011-09-01', 'from=2011-06-01&to=275760-09-13', 'from=0000-01-01&to=2011-09-01']) {
      const res = await send(`/v1/metrics/retention?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.fields.map((f) => f.path)).toEqual([q.startsWith('from=2011') ? 'query.to' : 'query.from']);
    }
    // a cursor names (value at risk, customer row id); a row id beyond 2^53 is not one this service issued
    const forged = Buffer.from(JSON.stringify([1, 1e300])).toString('base64url');
    const res = await send(`/v1/churn/at-risk?cursor=${forged}`);
    expect(res.status).toBe(400);
    expect(res.body.fields.map((f) => f.path)).toEqual(['query.cursor']);
  });
});

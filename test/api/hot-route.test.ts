import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/api/app-env.ts';
import { createErrorHandler, validationHook } from '../../src/api/error-handler.ts';
import { hotGet, openHotLane } from '../../src/api/hot-route.ts';
import { Metrics } from '../../src/api/metrics.ts';
import { createLogger } from '../../src/logger.ts';
import { ApiKeyRing } from '../../src/services/api-key-ring.ts';
import { bool, idParam, limitParam, stringList } from '../../src/api/schemas.ts';

// One route registered both ways: app.openapi (the reference) and hotGet must answer alike.
const route = (path: string) =>
  createRoute({
    method: 'get',
    path,
    request: {
      params: z.object({ customer_id: idParam('customer_id') }),
      query: z.object({ limit: limitParam(100, 10), category: stringList('categories'), in_stock: bool('in stock', true) }),
    },
    responses: { 200: { description: 'echo' } },
  });

function apps() {
  const hot = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const ref = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const onError = createErrorHandler(createLogger('silent'));
  ref.onError(onError);
  hot.onError(onError);
  const inFront = openHotLane(hot, { metrics: new Metrics(), keys: new ApiKeyRing(async () => []), alwaysRequireKey: false, onError });
  hotGet(hot, route('/things/{customer_id}'), (c, p, q) => c.json({ p, q }, 200));
  ref.openapi(route('/things/{customer_id}'), (c) => c.json({ p: c.req.valid('param'), q: c.req.valid('query') }, 200));
  // what the lane does not serve, the full app behind it does
  hot.get('/other', (c) => c.text('behind the lane'));
  hot.fetch = inFront(hot.fetch) as typeof hot.fetch;
  return { hot, ref };
}

describe('hotGet', () => {
  const { hot, ref } = apps();
  const long = 'x'.repeat(201);
  const urls = [
    '/things/a',
    '/things/a?limit=5',
    '/things/b?limit=5',
    '/things/a?limit=7&category=x,y&category=z&in_stock=false',
    '/things/a?limit=0',
    '/things/a?limit=abc&in_stock=maybe',
    '/things/a?limit=1&limit=2',
    `/things/${long}?limit=5`,
    `/things/${long}?limit=0`,
    '/things/a?__proto__=1',
    '/things/a?category=%E2%82%AC+x',
  ];

  it('answers every request, valid or not, exactly as app.openapi does (twice, so cached queries count)', async () => {
    for (const round of [1, 2]) {
      for (const url of urls) {
        const [a, b] = [await hot.request(url), await ref.request(url)];
        expect({ round, url, status: a.status, body: await a.text() }).toEqual({ round, url, status: b.status, body: await b.text() });
      }
    }
  });

  it('keys cached queries by the query string: different strings give their own values', async () => {
    const limits = [];
    for (const n of [3, 4, 3, 9]) limits.push(((await (await hot.request(`/things/a?limit=${n}`)).json()) as { q: { limit: number } }).q.limit);
    expect(limits).toEqual([3, 4, 3, 9]);
  });

  it('hands every other request to the app behind it, HEAD included', async () => {
    const other = await hot.request('/other');
    expect([other.status, await other.text()]).toEqual([200, 'behind the lane']);
    expect((await hot.request('/things/a', { method: 'HEAD' })).status).toBe(200);
    expect((await hot.request('/things/a', { method: 'POST' })).status).toBe(404);
  });

  it('documents the route as app.openapi does', () => {
    const doc = (app: OpenAPIHono<AppEnv>) => app.getOpenAPIDocument({ openapi: '3.0.3', info: { title: 't', version: '1' } });
    expect(doc(hot)).toEqual(doc(ref));
    expect(Object.keys(doc(hot).paths)).toEqual(['/things/{customer_id}']);
  });
});

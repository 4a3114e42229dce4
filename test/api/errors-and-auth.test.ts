import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/api/app.ts';
import { createApiKey, revokeApiKey } from '../../src/services/api-keys.ts';
import { closeShop, openShopApp, type Shop } from './fixture.ts';

// Error shapes and auth do not depend on the engine: PGlite only.
describe('errors and authentication', () => {
  let shop: Shop;
  let app: App;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    ({ shop, app } = await openShopApp('pglite', { maxBodyBytes: 64 * 1024 }));
  }, 60_000);
  afterAll(() => closeShop(shop));

  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = (await res.json()) as { status: number; code: string; message: string; fields: { path: string }[] };
    expect(body.status).toBe(res.status);
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
    return body;
  };

  describe('without keys (loopback mode)', () => {
    it('serves /v1 without a key', async () => {
      expect((await app.request('/v1/customers/c1/recommendations')).status).toBe(200);
    });

    it('answers unknown routes with a 404 problem', async () => {
      const body = await problem(await app.request('/v1/nothing-here'));
      expect(body.code).toBe('not_found');
    });

    it('rejects bad query values with 400 and names the field', async () => {
      const res = await app.request('/v1/customers/c1/recommendations?limit=0&in_stock=maybe');
      expect(res.status).toBe(400);
      const body = await problem(res);
      expect(body.code).toBe('invalid_request');
      expect(body.fields.map((f) => f.path).sort()).toEqual(['query.in_stock', 'query.limit']);
    });

    it('rejects a body that is not JSON with 400 and a schema mismatch with 422', async () => {
      const bad = await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events": [' });
      expect(bad.status).toBe(400);
      expect((await problem(bad)).code).toBe('malformed_json');
      const wrong = await app.request('/v1/items/x', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price: -1, colour: 'red' }) });
      expect(wrong.status).toBe(422);
      const body = await problem(wrong);
      expect(body.code).toBe('validation_failed');
      expect(body.fields.map((f) => f.path)).toContain('json.price');
    });

    it('refuses a body that is not declared as JSON with 415', async () => {
      const res = await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"events": []}' });
      expect(res.status).toBe(415);
      expect((await problem(res)).code).toBe('unsupported_media_type');
    });

    it('refuses bodies over the limit with 413', async () => {
      const events = Array.from({ length: 900 }, (_, i) => ({ event_id: `big-${i}`, type: 'view', customer_id: 'c1', item_id: 'lamp', occurred_at: '2011-10-01T00:00:00Z' }));
      const res = await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
      expect(res.status).toBe(413);
      expect((await problem(res)).code).toBe('payload_too_large');
    });

    it('maps an unknown model version to 404 and an unknown kind to 409', async () => {
      const res = await app.request('/v1/models/recommender/19990101T000000000Z/activate', { method: 'POST' });
      expect(res.status).toBe(404);
      await problem(res);
      const kind = await app.request('/v1/models/telepathy/1/activate', { method: 'POST' });
      expect(kind.status).toBe(409);
      expect((await problem(kind)).code).toBe('artifact_invalid');
    });

    it('serves the OpenAPI document', async () => {
      const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
      for (const path of ['/v1/customers/{customer_id}/recommendations', '/v1/churn/at-risk', '/v1/events', '/v1/models/{kind}/{version}/activate', '/healthz']) {
        expect(doc.paths).toHaveProperty([path]);
      }
    });
  });

  describe('with keys', () => {
    beforeAll(async () => {
      for (const [name, scopes] of [['reader', ['read']], ['writer', ['write']], ['operator', ['admin']]] as const) {
        tokens[name] = (await createApiKey(shop.database.db, name, [...scopes])).token;
      }
      await shop.runtime.keys.refresh();
    });
    const as = (name: string | undefined, path: string, init: RequestInit = {}) =>
      app.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...(name ? { authorization: `Bearer ${tokens[name] ?? name}` } : {}) } });

    it('requires a valid key on /v1 but not on health, metrics or docs', async () => {
      const none = await as(undefined, '/v1/customers/c1/recommendations');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await problem(none)).code).toBe('unauthorized');
      expect((await as('rtn_deadbeef_forged', '/v1/customers/c1/recommendations')).status).toBe(401);
      for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect((await as(undefined, path)).status).toBe(200);
    });

    it('enforces scopes: read, write, admin (admin includes the others)', async () => {
      const putItem = { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ price: 5 }) };
      expect((await as('reader', '/v1/customers/c1/recommendations')).status).toBe(200);
      const denied = await as('reader', '/v1/items/lamp', putItem);
      expect(denied.status).toBe(403);
      expect((await problem(denied)).code).toBe('forbidden');
      expect((await as('writer', '/v1/items/lamp', putItem)).status).toBe(200);
      expect((await as('writer', '/v1/customers/c1/recommendations')).status).toBe(403);
      expect((await as('writer', '/v1/models')).status).toBe(403);
      expect((await as('reader', '/v1/customers/c8', { method: 'DELETE' })).status).toBe(403);
      expect((await as('operator', '/v1/models')).status).toBe(200);
      expect((await as('operator', '/v1/customers/c1/recommendations')).status).toBe(200);
    });

    it('stops accepting a revoked key after the next refresh', async () => {
      await revokeApiKey(shop.database.db, 'reader');
      await shop.runtime.keys.refresh();
      expect((await as('reader', '/v1/customers/c1/recommendations')).status).toBe(401);
      expect((await as('operator', '/v1/customers/c1/recommendations')).status).toBe(200);
    });

    it('stores only hashes', async () => {
      const rows = await shop.database.db.query.apiKeys.findMany();
      for (const row of rows) {
        expect(Object.values(tokens)).not.toContain(row.keyHash);
        expect(JSON.stringify(row)).not.toContain(tokens.operator!.slice(13));
      }
    });
  });

  it('answers an unexpected failure with a generic 500 problem, no message or stack', async () => {
    const customers = shop.runtime.customers;
    const original = customers.profileJson;
    customers.profileJson = async () => {
      throw new Error('connection to 10.0.0.7 failed: password hunter2');
    };
    try {
      const res = await app.request('/v1/customers/c1', { headers: { authorization: `Bearer ${tokens.operator}` } });
      expect(res.status).toBe(500);
      const text = await res.clone().text();
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('10.0.0.7');
      expect((await problem(res)).message).toBe('internal server error');
    } finally {
      customers.profileJson = original;
    }
  });
});

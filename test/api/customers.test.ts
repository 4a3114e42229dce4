import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/api/app.ts';
import { queryRows } from '../../src/db/client.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { testEngines } from '../helpers/db.ts';
import { closeShop, openShopApp, type Shop } from './fixture.ts';

describe.each(testEngines())('customers, win-back lists, erasure (%s)', (engine) => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp(engine));
  }, 60_000);
  afterAll(() => closeShop(shop));

  const json = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: text.startsWith('{') ? (JSON.parse(text) as any) : undefined };
  };
  const send = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('returns a customer\'s scores, and 404 for an unknown one', async () => {
    const { status, body } = await json('/v1/customers/c1');
    expect(status).toBe(200);
    expect(body.scores).toMatchObject({ risk_tier: 'high', segment: 'at_risk', rfm: { r: 3, f: 3, m: 3 } });
    expect(body.scores.churn_probability).toBeCloseTo(0.9, 5);
    expect(body.scores.reasons).toEqual([{ reason: 'recency', effect: 0.2, detail: 'last order 10 days ago' }]);
    const missing = await json('/v1/customers/nobody');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('not_found');
  });

  it('pages the at-risk list by value at risk with a keyset cursor', async () => {
    const first = await json('/v1/churn/at-risk?limit=3');
    expect(first.status).toBe(200);
    const ids1 = first.body.customers.map((c: { customer_id: string }) => c.customer_id);
    expect(ids1).toEqual(['c1', 'c2', 'c3']);
    const second = await json(`/v1/churn/at-risk?limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body.customers.map((c: { customer_id: string }) => c.customer_id)).toEqual(['c4', 'c5', 'c6']);
    const all = await json('/v1/churn/at-risk?limit=100');
    expect(all.body.customers).toHaveLength(8);
    expect(all.body.next_cursor).toBeNull();
    const vars = all.body.customers.map((c: { scores: { value_at_risk: number } }) => c.scores.value_at_risk);
    expect(vars).toEqual([...vars].sort((a, b) => b - a));
  });

  it('filters by tier, probability, segment and adds top picks on request', async () => {
    const high = await json('/v1/churn/at-risk?tier=high');
    expect(high.body.customers.map((c: { customer_id: string }) => c.customer_id)).toEqual(['c1', 'c2', 'c3']);
    const p = await json('/v1/churn/at-risk?min_probability=0.65&segment=at_risk&with_recommendations=2');
    expect(p.body.customers.map((c: { customer_id: string }) => c.customer_id)).toEqual(['c1', 'c3']);
    expect(p.body.customers[0].recommendations).toHaveLength(2);
    const bad = await json('/v1/churn/at-risk?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(bad.body.fields[0].path).toBe('query.cursor');
  });

  it('streams the list as CSV', async () => {
    const res = await json('/v1/churn/at-risk?format=csv&with_recommendations=1');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('customer_id,email,churn_probability,risk_tier,predicted_clv,value_at_risk,p_alive,expected_next_order_at,segment,recommended_items');
    expect(lines).toHaveLength(9);
    expect(lines[1]!.startsWith('c1,c1@example.com,')).toBe(true);
  });

  it('summarises segments and computes retention ((E - N) / S) x 100', async () => {
    const seg = await json('/v1/segments');
    expect(seg.body.segments.map((s: { segment: string; customers: number }) => [s.segment, s.customers]).sort()).toEqual([
      ['at_risk', 4],
      ['loyal', 4],
    ]);
    // all 8 fixture customers ordered in the 4 days before the cutoff; one new customer orders after it
    await app.request('/v1/events', send('POST', { events: [{ event_id: 'ret-1', type: 'purchase', customer_id: 'fresh-face', item_id: 'lamp', occurred_at: '2011-09-25T08:00:00Z' }] }));
    const r = await json('/v1/metrics/retention?from=2011-09-09&to=2011-10-01&lookback_days=30');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ customers_at_start: 8, customers_at_end: 9, new_customers: 1, lost_customers: 0, retention_rate: 100, churn_rate: 0 });
    // with a 10-day window the pre-cutoff customers have lapsed by October; only the newcomer is left
    const lapsed = await json('/v1/metrics/retention?from=2011-09-09&to=2011-10-01&lookback_days=10');
    expect(lapsed.body).toMatchObject({ customers_at_start: 8, customers_at_end: 1, new_customers: 1, lost_customers: 8, retention_rate: 0, churn_rate: 100 });
    const backwards = await json('/v1/metrics/retention?from=2011-10-01&to=2011-09-01');
    expect(backwards.status).toBe(400);
  });

  it('keeps unsubscribed customers out of win-back lists', async () => {
    const res = await json('/v1/customers/c2/consent', send('PUT', { unsubscribed: true }));
    expect(res.status).toBe(200);
    const list = await json('/v1/churn/at-risk?tier=high');
    expect(list.body.customers.map((c: { customer_id: string }) => c.customer_id)).toEqual(['c1', 'c3']);
    const bad = await json('/v1/customers/c2/consent', send('PUT', { unsubscribed: 'yes' }));
    expect(bad.status).toBe(422);
    expect(bad.body.fields[0].path).toBe('json.unsubscribed');
  });

  it('erases a customer: no purchase, event or score row left, gone from every list at once, not re-creatable by events', async () => {
    await app.request('/v1/events', send('POST', { events: [{ event_id: 'erase-1', type: 'view', customer_id: 'c3', item_id: 'lamp', occurred_at: '2011-09-20T08:00:00Z' }, { event_id: 'erase-2', type: 'purchase', customer_id: 'c3', item_id: 'lamp', occurred_at: '2011-09-20T08:00:00Z' }] }));
    const before = await json('/v1/customers/c3/recommendations');
    expect(before.body.source).toBe('personalized');

    const res = await json('/v1/customers/c3', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(res.body.deleted).toEqual({ purchases: 4, events: 2, scores: 1, campaign_memberships: 0, contacts: 0, served_lists: 0 });

    const db = shop.database.db;
    const [left] = await queryRows<{ purchases: number; events: number; scores: number; email: string | null; erased: boolean }>(
      db,
      sql`select (select count(*)::int from purchases p where p.customer_id = c.id) as purchases,
                 (select count(*)::int from events e where e.customer_id = c.id) as events,
                 (select count(*)::int from customer_scores s where s.customer_id = c.id) as scores,
                 c.email, c.erased_at is not null as erased
          from customers c where c.external_id = 'c3'`,
    );
    expect(left).toEqual({ purchases: 0, events: 0, scores: 0, email: null, erased: true });

    expect((await json('/v1/customers/c3')).status).toBe(404);
    const list = await json('/v1/churn/at-risk?limit=100');
    expect(list.body.customers.map((c: { customer_id: string }) => c.customer_id)).not.toContain('c3');
    expect((await json('/v1/churn/at-risk?format=csv')).text).not.toMatch(/^c3,/m);
    const recs = await json('/v1/customers/c3/recommendations');
    expect(recs.body.source).toBe('fallback');

    const again = await json('/v1/events', send('POST', { events: [{ event_id: 'erase-3', type: 'purchase', customer_id: 'c3', item_id: 'lamp', occurred_at: '2011-10-20T08:00:00Z' }] }));
    expect(again.body.results[0]).toMatchObject({ status: 'rejected', error: { code: 'customer_erased' } });
    // a re-import of the shop's history cannot bring the purchases back
    const dir = await mkdtemp(join(tmpdir(), 'retain-reimport-'));
    const file = join(dir, 'lines.csv');
    await writeFile(file, 'customer_id,order_id,item_id,quantity,unit_price,occurred_at\nc3,re-1,mug-red,1,4,2011-09-01 10:00:00\nc4,re-2,mug-red,1,4,2011-09-01 10:00:00\n');
    const summary = await importPurchases(shop.database, file);
    await rm(dir, { recursive: true, force: true });
    expect(summary).toMatchObject({ purchases: 1, erased: 1 });
    const [p] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from purchases p join customers c on c.id = p.customer_id where c.external_id = 'c3'`);
    expect(p!.n).toBe(0);
  });

  it('ingests events idempotently with per-event errors', async () => {
    const batch = {
      events: [
        { event_id: 'idem-1', type: 'cart', customer_id: 'c5', item_id: 'lamp', occurred_at: '2011-10-01T00:00:00Z' },
        { event_id: 'idem-2', type: 'teleport', customer_id: 'c5', item_id: 'lamp', occurred_at: '2011-10-01T00:00:00Z' },
        { event_id: 'idem-1', type: 'cart', customer_id: 'c5', item_id: 'lamp', occurred_at: '2011-10-01T00:00:00Z' },
        { event_id: 'idem-3', type: 'view', customer_id: 'c5', item_id: 'lamp', occurred_at: 'yesterday' },
      ],
    };
    const first = await json('/v1/events', send('POST', batch));
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'rejected', 'duplicate', 'rejected']);
    expect(first.body.results[1].error.message).toContain('type');
    expect(first.body.results[3].error.message).toContain('occurred_at');
    const retry = await json('/v1/events', send('POST', batch));
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 2 });
    const [n] = await queryRows<{ n: number }>(shop.database.db, sql`select count(*)::int as n from events where event_id = 'idem-1'`);
    expect(n!.n).toBe(1);
  });
});

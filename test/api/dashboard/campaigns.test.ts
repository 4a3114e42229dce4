import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/api/app.ts';
import { createApiKey } from '../../../src/services/api-keys.ts';
import { testEngines } from '../../helpers/db.ts';
import { closeShop, openShopApp, type Shop } from '../fixture.ts';
import { Browser } from './browser.ts';

const cell = (html: string, arm: string, column: number) => {
  const row = new RegExp(`<tr data-arm="${arm}">([\\s\\S]*?)</tr>`).exec(html)![1]!;
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim())[column];
};

describe.each(testEngines())('dashboard campaigns (%s)', (engine) => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp(engine));
  }, 60_000);
  afterAll(() => closeShop(shop));

  it('creates a campaign from the win-back filter, shows its arms and results as the API does, exports and closes it', async () => {
    const b = new Browser(app);
    const list = await (await b.get('/dashboard/at-risk?min_probability=0.35')).text();
    expect(list).toContain('id="create-campaign"');
    expect(list).toContain('<input type="hidden" name="min_probability" value="0.35">');
    const form = { _csrf: await b.csrf('/dashboard/at-risk'), min_probability: '0.35', name: 'winter', holdout: '0.5', arms: 'personalized', items: '3' };
    expect((await b.post('/dashboard/campaigns', { ...form, _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await b.post('/dashboard/campaigns', { ...form, holdout: '1.5' })).status).toBe(400);

    const created = await b.post('/dashboard/campaigns', form);
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    const id = Number(/^\/dashboard\/campaigns\/(\d+)$/.exec(location)![1]);
    const api = (await (await app.request(`/v1/campaigns/${id}`)).json()) as { audience: unknown; members: number; arms: { name: string; members: number; fraction: number }[] };
    // c1..c6 of the fixture (churn probability 0.9 to 0.4; three high, three medium), half held out,
    // so each arm has two to four members (exact to ±1 per tier)
    expect(api.audience).toEqual({ min_probability: 0.35 });
    expect(api.members).toBe(6);
    expect(api.arms.map((a) => [a.name, a.fraction])).toEqual([['control', 0.5], ['personalized', 0.5]]);

    // members of the treatment arm buy after the start
    const export1 = await b.post(`/dashboard/campaigns/${id}/audience.csv`, { _csrf: await b.csrf(location) });
    expect(export1.headers.get('content-type')).toMatch(/text\/csv/);
    const csv = await export1.text();
    const viaApi = await (await app.request(`/v1/campaigns/${id}/audience?format=csv`)).text();
    expect(csv).toBe(viaApi);
    const rows = csv.trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.length).toBe(api.arms.find((a) => a.name === 'personalized')!.members);
    expect(rows.every((r) => r[2] === 'personalized')).toBe(true);
    const buyer = rows[0]!;
    const event = { event_id: 'c-1', type: 'purchase', customer_id: buyer[0], item_id: buyer[4], quantity: 2, price: 5, order_id: 'camp-1', occurred_at: new Date().toISOString(), campaign_token: buyer[3] };
    expect((await app.request('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events: [event] }) })).status).toBe(200);

    const page = await b.get(location);
    expect(page.status).toBe(200);
    const html = await page.text();
    const results = (await (await app.request(`/v1/campaigns/${id}/results`)).json()) as { arms: { name: string; members: number; purchasers: number; revenue: number }[] };
    for (const arm of results.arms) {
      expect(cell(html, arm.name, 1)).toBe(String(arm.members));
      expect(cell(html, arm.name, 3)).toBe(String(arm.purchasers));
    }
    expect(cell(html, 'personalized', 2)).toBe(String(rows.length)); // contacted by the export
    expect(cell(html, 'control', 2)).toBe('0');
    const treated = results.arms.find((a) => a.name === 'personalized')!;
    expect(cell(html, 'personalized', 7)).toBe(`10.00${(10 / treated.members).toFixed(2)}`); // total, then per member
    for (const chart of ['campaign-conversion', 'campaign-lift', 'campaign-revenue']) expect(html).toMatch(new RegExp(`data-chart="${chart}" data-points="[1-9]`));
    expect(html).toContain('id="close-campaign"');

    const listPage = await (await b.get('/dashboard/campaigns')).text();
    expect(listPage).toContain(`<a href="/dashboard/campaigns/${id}">winter</a>`);

    const closed = await b.post(`/dashboard/campaigns/${id}/close`, { _csrf: await b.csrf(location) });
    expect([closed.status, closed.headers.get('location')]).toEqual([303, location]);
    expect(await (await b.get(location)).text()).toContain('Its audience can no longer be exported');
    expect((await b.post(`/dashboard/campaigns/${id}/audience.csv`, { _csrf: await b.csrf(location) })).status).toBe(409);
    expect((await b.get('/dashboard/campaigns/999999')).status).toBe(404);
    expect((await b.get('/dashboard/campaigns/abc')).status).toBe(404);
  });

  it('creates a campaign from a win-back filter: the campaign holds exactly the list\'s customers', async () => {
    const b = new Browser(app);
    const list = await (await b.get('/dashboard/at-risk?max_days_since_order=13&min_orders=2')).text();
    expect(list).toContain('<input type="hidden" name="max_days_since_order" value="13">');
    const ids = [...list.matchAll(/data-customer="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(ids.length).toBeGreaterThan(0);
    const form = { _csrf: await b.csrf('/dashboard/at-risk'), max_days_since_order: '13', min_orders: '2', name: 'recent lapsers', holdout: '0.5', arms: 'personalized', items: '3' };
    const created = await b.post('/dashboard/campaigns', form);
    expect(created.status).toBe(303);
    const id = Number(/^\/dashboard\/campaigns\/(\d+)$/.exec(created.headers.get('location')!)![1]);
    const api = (await (await app.request(`/v1/campaigns/${id}`)).json()) as { audience: unknown; members: number };
    expect(api.audience).toEqual({ max_days_since_order: 13, min_orders: 2 });
    const listed = (await (await app.request('/v1/churn/at-risk?max_days_since_order=13&min_orders=2&limit=1000')).json()) as { customers: { customer_id: string }[] };
    expect(listed.customers.map((c) => c.customer_id).sort()).toEqual(ids);
    expect(api.members).toBe(ids.length);
  });

  it('lets only admin keys create, export or close', async () => {
    const reader = (await createApiKey(shop.database.db, 'campaign-reader', ['read'])).token;
    await shop.runtime.keys.refresh();
    const b = new Browser(app);
    await b.post('/dashboard/login', { _csrf: await b.csrf('/dashboard/login'), key: reader });
    const atRisk = await (await b.get('/dashboard/at-risk')).text();
    expect(atRisk).not.toContain('id="create-campaign"');
    const csrf = await b.csrf('/dashboard/campaigns');
    expect((await b.post('/dashboard/campaigns', { _csrf: csrf, name: 'nope', holdout: '0.2' })).status).toBe(403);
    expect((await b.post('/dashboard/campaigns/1/close', { _csrf: csrf })).status).toBe(403);
    expect((await b.post('/dashboard/campaigns/1/audience.csv', { _csrf: csrf })).status).toBe(403);
    const page = await (await b.get('/dashboard/campaigns/1')).text();
    expect(page).toContain('<table id="arms">');
    expect(page).not.toContain('id="close-campaign"');
  });

});

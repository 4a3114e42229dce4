import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/api/app.ts';
import { createApiKey, revokeApiKey } from '../../../src/services/api-keys.ts';
import * as tables from '../../../src/db/schema/index.ts';
import { closeShop, CUTOFF, openShopApp, type Shop } from '../fixture.ts';
import { Browser } from './browser.ts';

describe('dashboard pages (app.request, PGlite)', () => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp('pglite'));
  }, 60_000);
  afterAll(() => closeShop(shop));

  describe('without keys: open, as the API is', () => {
    it('serves the overview with its numbers and charts', async () => {
      const res = await app.request('/dashboard');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const html = await res.text();
      expect(html).toContain('<h1>Overview</h1>');
      // 8 customers, revenue = 27 lines at 1 each
      expect(html).toMatch(/Customers<\/div><div class="value">8</);
      expect(html).toMatch(/Revenue<\/div><div class="value">27\.00</);
      for (const chart of ['risk-tiers', 'cohorts']) expect(html).toMatch(new RegExp(`data-chart="${chart}" data-points="[1-9]`));
    });

    it('lists segments with links to their win-back lists', async () => {
      const html = await (await app.request('/dashboard/segments')).text();
      expect(html).toMatch(/data-chart="segment-sizes" data-points="2"/);
      expect(html).toMatch(/data-chart="churn-by-segment" data-points="2"/);
      expect(html).toContain('href="/dashboard/at-risk?segment=at_risk"');
    });

    it('filters and pages the win-back list, largest value at risk first', async () => {
      const all = await (await app.request('/dashboard/at-risk')).text();
      const order = [...all.matchAll(/data-customer="([^"]+)"/g)].map((m) => m[1]);
      expect(order).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
      const low = await (await app.request('/dashboard/at-risk?tier=low&segment=&min_clv=')).text();
      expect([...low.matchAll(/data-customer="([^"]+)"/g)].map((m) => m[1])).toEqual(['c7', 'c8']);
      const picks = /data-customer="c1"[\s\S]*?<ul class="picks">([\s\S]*?)<\/ul>/.exec(all)![1]!;
      expect(picks.match(/<li>/g)).toHaveLength(3);
      expect((await app.request('/dashboard/at-risk?tier=bogus')).status).toBe(400);
      // the win-back filters: days since the last order are 10 + k for c1..c8, two orders each, no cadence yet
      const rows = async (q: string) => [...(await (await app.request(`/dashboard/at-risk?${q}`)).text()).matchAll(/data-customer="([^"]+)"/g)].map((m) => m[1]);
      expect(await rows('min_days_since_order=12&max_days_since_order=14&min_orders=&due=')).toEqual(['c3', 'c4', 'c5']);
      expect(await rows('min_orders=2&max_days_since_order=11')).toEqual(['c1', 'c2']);
      expect(await rows('min_orders=3')).toEqual([]);
      expect(await rows('due=true')).toEqual([]);
      const form = await (await app.request('/dashboard/at-risk?max_days_since_order=11&due=true')).text();
      expect(form).toContain('name="max_days_since_order" step="1" min="0" value="11"');
      expect(form).toMatch(/name="due" value="true" checked/);
      expect((await app.request('/dashboard/at-risk?due=yes')).status).toBe(400);
    });

    it('downloads the CSV of the current filter, identical to the API CSV', async () => {
      for (const q of ['tier=high', 'segment=loyal&min_clv=50', 'min_days_since_order=12&max_days_since_order=14&min_orders=2', 'due=true', '']) {
        const mine = await app.request(`/dashboard/at-risk.csv?${q}`);
        expect(mine.headers.get('content-type')).toMatch(/text\/csv/);
        const api = await (await app.request(`/v1/churn/at-risk?format=csv&${q}`)).text();
        expect(await mine.text()).toBe(api);
      }
    });

    it('shows a customer with scores, reasons, orders, P(alive) and recommendations; 404 for unknown ids', async () => {
      const res = await app.request('/dashboard/customers/c2');
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('Customer c2');
      expect(html).toMatch(/data-chart="reasons" data-points="1"/);
      expect(html).toMatch(/data-chart="orders" data-points="4"/);
      expect(html).toMatch(/data-chart="p-alive" data-points="[1-9]/);
      expect(html).toMatch(/<ol id="recommendations">\s*<li>/);
      expect(html).toContain('Erase this customer');
      const missing = await app.request('/dashboard/customers/nobody');
      expect(missing.status).toBe(404);
      expect(await missing.text()).toContain('No customer nobody.');
      const search = await app.request('/dashboard/customers?id=c3');
      expect([search.status, search.headers.get('location')]).toEqual([303, '/dashboard/customers/c3']);
    });

    it('shows models, and campaigns (none yet)', async () => {
      const models = await (await app.request('/dashboard/models')).text();
      expect(models).toMatch(/<table id="recommenders">[\s\S]*<strong>active<\/strong>/);
      const campaigns = await (await app.request('/dashboard/campaigns')).text();
      expect(campaigns).toContain('id="no-campaigns"');
    });

    it('keeps serving the computed figures while new data are counted, then shows them', async () => {
      const customers = async () => /Customers<\/div><div class="value">(\d+)</.exec(await (await app.request('/dashboard')).text())![1];
      expect(await customers()).toBe('8');
      const db = shop.database.db;
      const [c9] = await db.insert(tables.customers).values({ externalId: 'c9' }).returning({ id: tables.customers.id });
      const [item] = await db.select({ id: tables.items.id }).from(tables.items).limit(1);
      await db.insert(tables.purchases).values({ customerId: c9!.id, itemId: item!.id, orderId: 'late-1', lineNo: 1, quantity: 1, unitPrice: 1, occurredAt: new Date(CUTOFF) });
      expect(await customers()).toBe('8');
      await shop.runtime.dashboardInsights.settled();
      expect(await customers()).toBe('9');
    });

    it('refuses a state-changing form without the CSRF token, accepts it with one', async () => {
      const b = new Browser(app);
      const version = shop.runtime.models.current!.manifest.version;
      const action = `/dashboard/models/recommender/${version}/activate`;
      expect((await b.post(action, {})).status).toBe(403);
      expect((await b.post(action, { _csrf: 'x'.repeat(43) })).status).toBe(403);
      const ok = await b.post(action, { _csrf: await b.csrf() });
      expect([ok.status, ok.headers.get('location')]).toEqual([303, '/dashboard/models']);
    });
  });

  describe('with keys', () => {
    const tokens: Record<string, string> = {};
    beforeAll(async () => {
      for (const [name, scopes] of [['reader', ['read']], ['boss', ['admin']], ['feeder', ['write']], ['gone', ['read']]] as const) {
        tokens[name] = (await createApiKey(shop.database.db, name, [...scopes])).token;
      }
      await shop.runtime.keys.refresh();
    });

    it('sends a visitor without a session to the sign-in page', async () => {
      const res = await app.request('/dashboard/segments?x=1');
      expect([res.status, res.headers.get('location')]).toEqual([303, '/dashboard/login?next=%2Fdashboard%2Fsegments%3Fx%3D1']);
      expect((await app.request('/dashboard/login')).status).toBe(200);
      // the API still wants its bearer header
      expect((await app.request('/v1/segments')).status).toBe(401);
    });

    it('refuses wrong keys with one message that names no part, and never echoes the key', async () => {
      const b = new Browser(app);
      const csrf = await b.csrf('/dashboard/login');
      // the right key with its last character changed (to a different one, whatever it was)
      const almost = `${tokens.reader!.slice(0, -1)}${tokens.reader!.endsWith('x') ? 'y' : 'x'}`;
      for (const key of [almost, 'rtn_nothing_here', '', tokens.feeder!]) {
        const res = await b.post('/dashboard/login', { _csrf: csrf, key, next: '/dashboard' });
        expect(res.status).toBe(401);
        const html = await res.text();
        expect(html).toContain('That key was not accepted.');
        if (key) expect(html).not.toContain(key);
        expect(b.cookies.has('retain_session')).toBe(false);
      }
      // without the CSRF token even the right key is refused
      expect((await b.post('/dashboard/login', { key: tokens.reader!, _csrf: 'nope' })).status).toBe(403);
    });

    it('signs in with a read key: a signed HttpOnly SameSite=Strict cookie, no key in URL or page', async () => {
      const b = new Browser(app);
      const res = await b.post('/dashboard/login', { _csrf: await b.csrf('/dashboard/login'), key: tokens.reader!, next: '/dashboard/at-risk?tier=high' });
      expect([res.status, res.headers.get('location')]).toEqual([303, '/dashboard/at-risk?tier=high']);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('retain_session='))!;
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Strict/);
      expect(cookie).toMatch(/Path=\/dashboard/);
      expect(cookie).not.toMatch(/Secure/);
      // the secret after rtn_<prefix>_ (it may itself contain '_')
      expect(cookie).not.toContain(tokens.reader!.split('_').slice(2).join('_'));
      const page = await b.get('/dashboard/at-risk?tier=high');
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('signed in as reader');
      expect(html).not.toContain(tokens.reader!);
      // a read key sees no erase form and cannot activate
      expect(await (await b.get('/dashboard/customers/c1')).text()).not.toContain('Erase this customer');
      const version = shop.runtime.models.current!.manifest.version;
      expect((await b.post(`/dashboard/models/recommender/${version}/activate`, { _csrf: await b.csrf() })).status).toBe(403);
      expect((await b.post('/dashboard/customers/c8/erase', { _csrf: await b.csrf(), confirm: 'yes' })).status).toBe(403);
      // a redirect target outside the dashboard is ignored
      const other = new Browser(app);
      const away = await other.post('/dashboard/login', { _csrf: await other.csrf('/dashboard/login'), key: tokens.reader!, next: '//evil.example/x' });
      expect(away.headers.get('location')).toBe('/dashboard');
    });

    it('marks the cookies Secure over TLS', async () => {
      const res = await app.request('https://shop.example/dashboard/login');
      expect(res.headers.getSetCookie().find((c) => c.startsWith('retain_csrf='))).toMatch(/Secure/);
    });

    it('lets an admin key act, and refuses a tampered, logged-out or revoked session', async () => {
      const b = new Browser(app);
      await b.post('/dashboard/login', { _csrf: await b.csrf('/dashboard/login'), key: tokens.boss! });
      const version = shop.runtime.models.current!.manifest.version;
      expect((await b.post(`/dashboard/models/recommender/${version}/activate`, { _csrf: await b.csrf() })).status).toBe(303);

      const session = b.cookies.get('retain_session')!;
      const [body, mac] = session.split('.');
      const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { e: number };
      const forged = Buffer.from(JSON.stringify({ ...payload, e: payload.e + 1e9 })).toString('base64url');
      const tampered = await app.request('/dashboard', { headers: { cookie: `retain_session=${forged}.${mac}` } });
      expect(tampered.status).toBe(303);

      const kept = `retain_session=${session}`;
      expect((await app.request('/dashboard', { headers: { cookie: kept } })).status).toBe(200);
      const out = await b.post('/dashboard/logout', { _csrf: await b.csrf() });
      expect([out.status, out.headers.get('location')]).toEqual([303, '/dashboard/login']);
      expect(b.cookies.has('retain_session')).toBe(false);
      // the old cookie, replayed after logout, no longer works
      expect((await app.request('/dashboard', { headers: { cookie: kept } })).status).toBe(303);

      const g = new Browser(app);
      await g.post('/dashboard/login', { _csrf: await g.csrf('/dashboard/login'), key: tokens.gone! });
      expect((await g.get('/dashboard')).status).toBe(200);
      await revokeApiKey(shop.database.db, 'gone');
      await shop.runtime.keys.refresh();
      expect((await g.get('/dashboard')).status).toBe(303);
    });
  });
});

// The dashboard in a real browser (Debian's chromium, driven by playwright-core), served by a real
// server on an ephemeral port over the bundled sample shop: every page loads without console
// errors and with its charts drawn from data, the win-back filter changes the rows, the CSV
// download is the API's CSV, a campaign created from a filter shows its arms and intervals, and
// sign-in and scopes behave. Screenshots (laptop and phone width)
// go to test/browser/screenshots/ (git-ignored) for whoever runs the tests.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { listen, type RunningServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createApiKey } from '../../src/services/api-keys.ts';
import { openSampleShop, type SampleShop } from './sample-shop.ts';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, 'screenshots');
const WAIT_MS = 30_000;

describe.skipIf(!existsSync(CHROMIUM))('dashboard in chromium, sample shop', () => {
  let shop: SampleShop;
  let server: RunningServer;
  let browser: Browser;
  let base: string;
  const tokens: Record<string, string> = {};
  let atRiskCustomer: string;

  beforeAll(async () => {
    shop = await openSampleShop((line) => process.stderr.write(`browser test setup: ${line}\n`));
    tokens.reader = (await createApiKey(shop.database.db, 'reader', ['read'])).token;
    tokens.boss = (await createApiKey(shop.database.db, 'boss', ['admin'])).token;
    await shop.runtime.keys.refresh();
    const app = createApp({ runtime: shop.runtime, logger: createLogger('silent') });
    server = await listen(app, { port: 0, host: '127.0.0.1', logger: createLogger('silent') });
    base = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'], timeout: WAIT_MS });
    await mkdir(SHOTS, { recursive: true });
    atRiskCustomer = (await shop.runtime.churn.page({ limit: 1, withRecommendations: 0 })).entries[0]!.row.externalId;
  }, 1_800_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await shop?.close();
  });

  /** A fresh browser context signed in with `key`; console errors and failed requests are collected. */
  async function signedIn(key: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.fill('input[name=key]', key);
    await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    return { page, errors };
  }

  // two checks of the numbers behind the pages on the real sample, while it is loaded
  it('charts the API numbers: monthly retention as GET /v1/metrics/retention, P(alive) ending at the stored score', async () => {
    const { monthly } = await shop.runtime.dashboardInsights.overview();
    expect(monthly.length).toBeGreaterThanOrEqual(6);
    for (const m of monthly) {
      const api = await shop.runtime.insights.retention(m.from, m.to, 90);
      expect([m.retentionRate, m.churnRate, m.start, m.end]).toEqual([api.retentionRate, api.churnRate, api.start, api.end]);
    }
    const page = await shop.runtime.churn.page({ limit: 25, withRecommendations: 0 });
    for (const { row } of page.entries) {
      const view = await shop.runtime.dashboardCustomers.view(row.externalId);
      expect(view.alive!.pAlive.at(-1), row.externalId).toBeCloseTo(row.pAlive, 3);
    }
  });

  it('refuses a wrong key without saying why, and keeps it out of the URL', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/dashboard/models`);
    await page.fill('input[name=key]', `${tokens.reader!.slice(0, -2)}${tokens.reader!.endsWith('zz') ? 'yy' : 'zz'}`);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
    expect(response!.status()).toBe(401);
    expect(await page.textContent('.error')).toBe('That key was not accepted.');
    expect(page.url()).not.toContain('rtn_');
    expect((await context.cookies()).some((c) => c.name === 'retain_session')).toBe(false);
    await context.close();
  });

  it('shows every page with its charts holding data and no console errors (read key)', async () => {
    const { page, errors } = await signedIn(tokens.reader!);
    expect(await page.textContent('header .who')).toContain('signed in as reader');
    const pages: [string, string, string[]][] = [
      ['overview', '/dashboard', ['retention', 'cohorts', 'risk-tiers']],
      ['segments', '/dashboard/segments', ['segment-sizes', 'churn-by-segment']],
      ['at-risk', '/dashboard/at-risk', []],
      ['customer', `/dashboard/customers/${atRiskCustomer}`, ['reasons', 'orders', 'p-alive']],
      ['models', '/dashboard/models', ['roc', 'calibration', 'gains', 'comparison']],
      ['campaigns', '/dashboard/campaigns', []],
    ];
    for (const [name, path, charts] of pages) {
      const response = await page.goto(`${base}${path}`);
      expect(response!.status(), name).toBe(200);
      const drawn = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((s) => ({ name: s.getAttribute('data-chart'), points: Number(s.getAttribute('data-points')), shapes: s.querySelectorAll('path, rect, circle').length, width: s.getBoundingClientRect().width })),
      );
      expect(drawn.map((d) => d.name).sort(), name).toEqual([...charts].sort());
      for (const d of drawn) {
        expect(d.points, `${name}/${d.name}`).toBeGreaterThan(0);
        expect(d.shapes, `${name}/${d.name}`).toBeGreaterThan(d.points > 3 ? 3 : 0);
        expect(d.width, `${name}/${d.name}`).toBeGreaterThan(200);
      }
      expect(await page.$$('[data-chart-empty]'), name).toHaveLength(0);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    const { page, errors } = await signedIn(tokens.reader!, { width: 390, height: 844 });
    for (const [name, path] of [['overview', '/dashboard'], ['segments', '/dashboard/segments'], ['at-risk', '/dashboard/at-risk'], ['customer', `/dashboard/customers/${atRiskCustomer}`], ['models', '/dashboard/models'], ['campaigns', '/dashboard/campaigns']] as const) {
      await page.goto(`${base}${path}`);
      // wide tables scroll inside their own box; the page itself must not
      const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      expect(overflow, name).toBeLessThanOrEqual(1);
      await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
  });

  it('changes the win-back rows with a filter and downloads the API CSV of that filter', async () => {
    const { page } = await signedIn(tokens.reader!);
    await page.goto(`${base}/dashboard/at-risk`);
    const rows = () => page.$$eval('#at-risk tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-customer')));
    const tiers = () => page.$$eval('#at-risk .tier', (spans) => [...new Set(spans.map((s) => s.textContent))]);
    const before = await rows();
    expect(before.length).toBe(50);
    await page.selectOption('select[name=tier]', 'low');
    await Promise.all([page.waitForNavigation(), page.click('form#filters button[type=submit]')]);
    const after = await rows();
    expect(after.length).toBeGreaterThan(0);
    expect(after).not.toEqual(before);
    expect(await tiers()).toEqual(['low']);
    expect(new URL(page.url()).searchParams.get('tier')).toBe('low');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    const mine = await readFile((await download.path())!, 'utf8');
    const api = await (await fetch(`${base}/v1/churn/at-risk?format=csv&tier=low`, { headers: { authorization: `Bearer ${tokens.reader}` } })).text();
    expect(mine).toBe(api);
    expect(mine.split('\n').length).toBeGreaterThan(after.length);
  });

  it('refuses activation without admin, and activates with it', async () => {
    const [active, other] = shop.churnVersions;
    const reader = await signedIn(tokens.reader!);
    await reader.page.goto(`${base}/dashboard/models`);
    const [refused] = await Promise.all([reader.page.waitForNavigation(), reader.page.click(`button[data-activate="${other}"]`)]);
    expect(refused!.status()).toBe(403);
    expect(await reader.page.textContent('.error')).toContain('admin');
    const current = async () => (await shop.runtime.models.list()).find((m) => m.kind === 'churn' && m.active)?.version;
    expect(await current()).toBe(active);

    const boss = await signedIn(tokens.boss!);
    await boss.page.goto(`${base}/dashboard/models`);
    await Promise.all([boss.page.waitForNavigation(), boss.page.click(`button[data-activate="${other}"]`)]);
    expect(new URL(boss.page.url()).pathname).toBe('/dashboard/models');
    expect(await current()).toBe(other);
    expect(boss.errors).toEqual([]);
  });

  it('creates a campaign from a win-back filter (admin), lands on its page, and shows a member\'s order in its results (last: that order is dated today)', async () => {
    const { page, errors } = await signedIn(tokens.boss!);
    await page.goto(`${base}/dashboard/at-risk`);
    await page.selectOption('select[name=tier]', 'high');
    await Promise.all([page.waitForNavigation(), page.click('form#filters button[type=submit]')]);
    await page.click('#create-campaign summary');
    await page.fill('#create-campaign input[name=name]', 'browser win-back');
    await page.fill('#create-campaign input[name=holdout]', '0.3');
    await page.selectOption('#create-campaign select[name=arms]', 'personalized,popular');
    await page.screenshot({ path: join(SHOTS, 'at-risk-admin.png'), fullPage: true });
    await Promise.all([page.waitForNavigation(), page.click('#create-campaign button[type=submit]')]);
    const path = new URL(page.url()).pathname;
    expect(path).toMatch(/^\/dashboard\/campaigns\/\d+$/);
    const id = Number(path.split('/').at(-1));
    const api = (await (await fetch(`${base}/v1/campaigns/${id}`, { headers: { authorization: `Bearer ${tokens.boss}` } })).json()) as { audience: unknown; members: number; arms: { name: string; members: number }[] };
    expect(api.audience).toEqual({ tier: ['high'] });
    const high = (await shop.runtime.churn.page({ tier: 'high', limit: 10_000, withRecommendations: 0 })).entries.length;
    expect(api.members).toBe(high);
    const armRows = await page.$$eval('#arms tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-arm'), tr.children[1]!.textContent!.replace(/,/g, '')]));
    expect(armRows).toEqual(api.arms.map((a) => [a.name, String(a.members)]));

    // the audience CSV from the page is the API's export; one member then orders with their token
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audience-csv')]);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^customer_id,email,arm,token,item_1,item_1_title/);
    expect(lines.length - 1).toBe(api.arms.filter((a) => a.name !== 'control').reduce((n, a) => n + a.members, 0));
    const [customer, , arm, token, item] = lines[1]!.split(',');
    const event = { event_id: 'browser-1', type: 'purchase', customer_id: customer, item_id: item, quantity: 1, price: 12.5, order_id: 'browser-1', occurred_at: new Date().toISOString(), campaign_token: token };
    const posted = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${tokens.boss}`, 'content-type': 'application/json' }, body: JSON.stringify({ events: [event] }) });
    expect(posted.status).toBe(200);
    await page.reload();
    const converted = await page.$eval(`#arms tr[data-arm="${arm}"]`, (tr) => tr.children[3]!.textContent);
    expect(converted).toBe('1');
    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => [s.getAttribute('data-chart'), Number(s.getAttribute('data-points'))]));
    expect(charts).toEqual([['campaign-conversion', 3], ['campaign-lift', 2], ['campaign-revenue', 2]]);
    await page.screenshot({ path: join(SHOTS, 'campaign.png'), fullPage: true });
    await page.goto(`${base}/dashboard/campaigns`);
    expect(await page.textContent('#campaigns')).toContain('browser win-back');
    await page.screenshot({ path: join(SHOTS, 'campaigns.png'), fullPage: true });

    const phone = await signedIn(tokens.reader!, { width: 390, height: 844 });
    for (const [name, where] of [['campaigns', '/dashboard/campaigns'], ['campaign', path]] as const) {
      await phone.page.goto(`${base}${where}`);
      const overflow = (await phone.page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
      expect(overflow, name).toBeLessThanOrEqual(1);
      await phone.page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
    }
    expect([...errors, ...phone.errors]).toEqual([]);
  });
});

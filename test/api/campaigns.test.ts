// Campaigns end to end through the HTTP API on both engines: validation, stratified reproducible
// assignment, the export and its contact log, the frequency cap, a simulated shop with known
// effects, served-list attribution and erasure.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/api/app.ts';
import { queryRows } from '../../src/db/client.ts';
import { customers, customerScores } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { AttributionService } from '../../src/services/attribution.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { ITEMS, openShop, type Shop } from './fixture.ts';

/** Synthetic customers beside the fixture's eight: tiers high, medium, low in turn. */
const SIM_CUSTOMERS = 3000;
const TIERS = ['high', 'medium', 'low'] as const;
const ARMS = [
  { name: 'control', fraction: 0.2, contact: false },
  { name: 'personalized', fraction: 0.4, recommendations: { strategy: 'personalized', limit: 4 } },
  { name: 'popular', fraction: 0.4, recommendations: { strategy: 'popular', limit: 4 } },
];

describe.each(testEngines())('campaigns (%s)', (engine) => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    shop = await openShop(await openTestDatabase(engine));
    app = createApp({ runtime: shop.runtime, logger: createLogger('silent') });
    const db = shop.database.db;
    const rows = await db
      .insert(customers)
      .values(Array.from({ length: SIM_CUSTOMERS }, (_, k) => ({ externalId: `s${String(k).padStart(4, '0')}`, email: `s${k}@example.com` })))
      .returning({ id: customers.id });
    await db.insert(customerScores).values(
      rows.map((r, k) => ({
        customerId: r.id,
        churnProbability: 0.5,
        riskTier: TIERS[k % 3]!,
        pAlive: 0.5,
        expectedPurchases: 1,
        predictedClv: 50,
        valueAtRisk: 25 - k / 1000,
        recencyDays: 100,
        frequency: 1,
        monetary: 20,
        rScore: 2,
        fScore: 2,
        mScore: 2,
        segment: 'hibernating',
        modelVersion: 'test',
      })),
    );
  }, 120_000);
  afterAll(async () => {
    await shop?.close();
    await shop?.database.close();
  });

  const json = async (path: string, init?: RequestInit) => {
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: /^[[{]/.test(text) ? (JSON.parse(text) as any) : undefined };
  };
  const send = (method: string, body: unknown) => ({ method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const rows = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => queryRows<T>(shop.database.db, q);
  const membersOf = (id: number) =>
    rows<{ customer_id: string; arm: string; risk_tier: string | null; token: string; items: string[] }>(
      sql`select c.external_id as customer_id, m.arm, m.risk_tier, m.token, m.items from campaign_members m join customers c on c.id = m.customer_id where m.campaign_id = ${id} order by c.external_id`,
    );
  const contactCount = async (id: number) => Number((await rows<{ n: number }>(sql`select count(*)::int as n from contacts where campaign_id = ${id}`))[0]!.n);
  const parseCsv = (text: string) => {
    const [head, ...lines] = text.trim().split('\n');
    const columns = head!.split(',');
    return { columns, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [columns[i]!, v]))) };
  };

  let walkthrough = 0;

  it('refuses fractions that do not sum to 1, bad filters and unknown campaigns', async () => {
    const bad = await json('/v1/campaigns', send('POST', { name: 'x', audience: { tier: 'high' }, arms: [{ name: 'a', fraction: 0.5 }, { name: 'b', fraction: 0.4 }] }));
    expect(bad.status).toBe(422);
    expect(bad.body.fields.map((f: { path: string }) => f.path)).toEqual(['json.arms']);
    const filter = await json('/v1/campaigns', send('POST', { name: 'x', audience: { tier: 'lukewarm' }, arms: [{ name: 'a', fraction: 1 }] }));
    expect(filter.status).toBe(422);
    expect(filter.body.fields.some((f: { path: string }) => f.path.startsWith('json.audience'))).toBe(true);
    const twoControls = await json('/v1/campaigns', send('POST', { name: 'x', audience: { tier: 'high' }, arms: [{ name: 'a', fraction: 0.5, contact: false }, { name: 'b', fraction: 0.5, contact: false }] }));
    expect(twoControls.status).toBe(422);
    expect((await json('/v1/campaigns/999')).status).toBe(404);
    expect((await json('/v1/campaigns/999/results')).status).toBe(404);
    expect((await json('/v1/campaigns/abc')).status).toBe(400);
  });

  it('assigns the high and medium tiers to arms at random, reproducibly, stratified exactly, never the unsubscribed', async () => {
    await app.request('/v1/customers/c2/consent', send('PUT', { unsubscribed: true }));
    const body = { name: 'win-back', audience: { tier: ['high', 'medium'] }, arms: ARMS, seed: 'walk' };
    const created = await json('/v1/campaigns', send('POST', body));
    expect(created.status).toBe(201);
    walkthrough = created.body.id;
    // fixture: c1-c3 high, c4-c6 medium (c2 unsubscribed); synthetic: 1000 high, 1000 medium
    expect(created.body.members).toBe(5 + 2000);
    expect(created.body.arms.map((a: { name: string }) => a.name)).toEqual(['control', 'personalized', 'popular']);
    const members = await membersOf(walkthrough);
    expect(members.map((m) => m.customer_id)).not.toContain('c2');
    expect(new Set(members.map((m) => m.token)).size).toBe(members.length);
    for (const tier of ['high', 'medium']) {
      const inTier = members.filter((m) => m.risk_tier === tier);
      for (const arm of ARMS) {
        const n = inTier.filter((m) => m.arm === arm.name).length;
        expect(Math.abs(n - inTier.length * arm.fraction), `${tier} ${arm.name}`).toBeLessThanOrEqual(1);
      }
    }
    // the snapshot: personalized members get their own top 4, popular members the popular 4, the control none
    const c1 = members.find((m) => m.customer_id === 'c1')!;
    const expected = c1.arm === 'personalized' ? shop.runtime.recommendations.forCustomer('c1', { limit: 4 }).items.map((i) => i.itemId) : c1.arm === 'popular' ? shop.runtime.recommendations.popular({ limit: 4 }).items.map((i) => i.itemId) : [];
    expect(c1.items).toEqual(expected);
    expect(members.filter((m) => m.arm === 'control').every((m) => m.items.length === 0)).toBe(true);

    const again = await json('/v1/campaigns', send('POST', { ...body, name: 'same seed' }));
    const repeat = await membersOf(again.body.id);
    expect(repeat.map((m) => [m.customer_id, m.arm])).toEqual(members.map((m) => [m.customer_id, m.arm]));
    const other = await membersOf((await json('/v1/campaigns', send('POST', { ...body, name: 'other seed', seed: 'other' }))).body.id);
    expect(other.filter((m, k) => m.arm !== members[k]!.arm).length).toBeGreaterThan(500);
    for (const id of [again.body.id, again.body.id + 1]) expect((await json(`/v1/campaigns/${id}/close`, { method: 'POST' })).body.status).toBe('closed');
    const list = await json('/v1/campaigns');
    expect(list.body.campaigns.map((c: { id: number }) => c.id)).toEqual([walkthrough + 2, walkthrough + 1, walkthrough]);
  });

  it('exports only contactable members with tokens and items, records each contact once, and honours the frequency cap', async () => {
    const members = await membersOf(walkthrough);
    const contactable = members.filter((m) => m.arm !== 'control');
    const csv = await json(`/v1/campaigns/${walkthrough}/audience?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const { columns, rows: exported } = parseCsv(csv.text);
    expect(columns).toEqual(['customer_id', 'email', 'arm', 'token', 'item_1', 'item_1_title', 'item_2', 'item_2_title', 'item_3', 'item_3_title', 'item_4', 'item_4_title']);
    expect(exported.map((r) => r.customer_id).sort()).toEqual(contactable.map((m) => m.customer_id).sort());
    const byId = new Map(members.map((m) => [m.customer_id, m]));
    const titles = new Map(ITEMS.map((i) => [i.externalId, i.title]));
    for (const r of exported) {
      const m = byId.get(r.customer_id!)!;
      expect(r.arm).toBe(m.arm);
      expect(r.token).toBe(m.token);
      expect([r.item_1, r.item_2, r.item_3, r.item_4].filter((x) => x !== '')).toEqual(m.items);
      expect(r.item_1_title).toBe(titles.get(m.items[0]!) ?? '');
    }
    expect(await contactCount(walkthrough)).toBe(contactable.length);
    const [first] = await rows<{ at: string }>(sql`select max(contacted_at)::text as at from contacts where campaign_id = ${walkthrough}`);

    const again = await json(`/v1/campaigns/${walkthrough}/audience?format=json`);
    expect(again.status).toBe(200);
    expect(again.body.map((r: { customer_id: string }) => r.customer_id).sort()).toEqual(contactable.map((m) => m.customer_id).sort());
    expect(await contactCount(walkthrough)).toBe(contactable.length);
    const [second] = await rows<{ at: string }>(sql`select max(contacted_at)::text as at from contacts where campaign_id = ${walkthrough}`);
    expect(second!.at).toBe(first!.at);

    // the at-risk list and new audiences leave out whoever was contacted in the last 30 days
    const capped = await json('/v1/churn/at-risk?tier=high&limit=1000&exclude_contacted_within_days=30');
    const cappedIds = new Set(capped.body.customers.map((c: { customer_id: string }) => c.customer_id));
    const highControl = members.filter((m) => m.arm === 'control' && m.risk_tier === 'high');
    expect(capped.body.customers).toHaveLength(highControl.length);
    for (const m of highControl) expect(cappedIds.has(m.customer_id)).toBe(true);
    const follow = await json('/v1/campaigns', send('POST', { name: 'follow-up', audience: { tier: ['high', 'medium'], exclude_contacted_within_days: 30 }, arms: [{ name: 'all', fraction: 1 }] }));
    expect(follow.body.members).toBe(members.length - contactable.length);
    await json(`/v1/campaigns/${follow.body.id}/close`, { method: 'POST' });
    const closed = await json(`/v1/campaigns/${follow.body.id}/audience`);
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe('conflict');
  });

  it('recovers known effects in a simulated shop: each arm\'s true difference inside its interval', async () => {
    const simIds = Array.from({ length: SIM_CUSTOMERS }, (_, k) => `s${String(k).padStart(4, '0')}`).filter((_, k) => k % 3 !== 2);
    const created = await json('/v1/campaigns', send('POST', { name: 'simulation', audience: { customer_ids: simIds }, arms: ARMS, seed: 'sim' }));
    expect(created.status).toBe(201);
    expect(created.body.members).toBe(2000);
    const id = created.body.id;
    const members = await membersOf(id);
    const startedAt = new Date(created.body.started_at).getTime();
    const truth: Record<string, number> = { control: 0.1, personalized: 0.14, popular: 0.12 };
    const meanSpend = Math.exp(3.5 + 0.6 ** 2 / 2);
    const rng = createRng(2024);
    const events: unknown[] = [];
    let tokened = 0;
    for (const m of members) {
      if (rng.next() >= truth[m.arm]!) continue;
      const carriesToken = m.arm !== 'control' && rng.next() < 0.5;
      if (carriesToken) tokened++;
      const price = Number(Math.exp(3.5 + 0.6 * rng.normal()).toFixed(2));
      events.push({
        event_id: `sim-${m.customer_id}`,
        type: 'purchase',
        customer_id: m.customer_id,
        item_id: 'sim-item',
        price,
        occurred_at: new Date(startedAt + 86_400_000).toISOString(),
        ...(carriesToken ? { campaign_token: m.token } : {}),
      });
    }
    // one purchase outside the window does not count
    events.push({ event_id: 'sim-late', type: 'purchase', customer_id: members[0]!.customer_id, item_id: 'sim-item', price: 1000, occurred_at: new Date(startedAt + 40 * 86_400_000).toISOString() });
    for (let k = 0; k < events.length; k += 1000) expect((await json('/v1/events', send('POST', { events: events.slice(k, k + 1000) }))).body.rejected).toBe(0);

    const res = await json(`/v1/campaigns/${id}/results?window_days=30`);
    expect(res.status).toBe(200);
    const arms = new Map(res.body.arms.map((a: { name: string }) => [a.name, a]));
    const control = arms.get('control') as any;
    expect(control.vs_control).toBeNull();
    expect(control.attributed_orders).toBe(0);
    let attributed = 0;
    for (const name of ['personalized', 'popular']) {
      const a = arms.get(name) as any;
      expect(a.members).toBe(members.filter((m) => m.arm === name).length);
      expect(a.conversion_rate).toBeCloseTo(a.purchasers / a.members, 12);
      expect(a.revenue_per_member).toBeCloseTo(a.revenue / a.members, 9);
      const diff = truth[name]! - truth.control!;
      const [lo, hi] = a.vs_control.conversion_diff_ci95;
      expect(lo, name).toBeLessThanOrEqual(diff);
      expect(hi, name).toBeGreaterThanOrEqual(diff);
      const [rlo, rhi] = a.vs_control.revenue_per_member_diff_ci95;
      expect(rlo, name).toBeLessThanOrEqual(diff * meanSpend);
      expect(rhi, name).toBeGreaterThanOrEqual(diff * meanSpend);
      expect(a.vs_control.incremental_revenue).toBeCloseTo((a.revenue_per_member - control.revenue_per_member) * a.members, 6);
      expect(a.vs_control.p_value).toBeGreaterThan(0);
      attributed += a.attributed_orders;
    }
    // sim-item is never shown: the attributed orders are exactly those that carried a token
    expect(attributed).toBe(tokened);
    const orders = res.body.arms.reduce((s: number, a: { orders: number }) => s + a.orders, 0);
    expect(orders).toBe(events.length - 1);
    expect(res.body.window.days).toBe(30);
  });

  it('records served lists in batches and reports clicks, orders and revenue per model version, source and strategy', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const known = await json('/v1/customers/c1/recommendations?limit=3');
    const unknown = await json('/v1/customers/nobody-yet/recommendations?limit=3');
    expect(unknown.body.source).toBe('fallback');
    await shop.runtime.flushServed();
    const [stored] = await rows<{ customer_external_id: string; source: string; strategy: string; items: string[]; model_version: string }>(
      sql`select customer_external_id, source, strategy, items, model_version from served_recommendations where id = ${known.body.recommendation_id}`,
    );
    expect(stored).toEqual({ customer_external_id: 'c1', source: 'personalized', strategy: 'personalized', items: known.body.items.map((i: { item_id: string }) => i.item_id), model_version: known.body.model_version });
    const rid = known.body.recommendation_id;
    const item = known.body.items[0].item_id;
    const at = new Date().toISOString();
    const ingest = await json('/v1/events', send('POST', { events: [
      { event_id: 'click-1', type: 'click', customer_id: 'c1', item_id: item, occurred_at: at, recommendation_id: rid },
      { event_id: 'click-2', type: 'click', customer_id: 'c1', item_id: item, occurred_at: at, recommendation_id: rid },
      { event_id: 'buy-1', type: 'purchase', customer_id: 'c1', item_id: item, quantity: 2, price: 4.5, order_id: 'rec-order', line_no: 1, occurred_at: at, recommendation_id: rid },
      { event_id: 'bad-rid', type: 'click', customer_id: 'c1', item_id: item, occurred_at: at, recommendation_id: 'not-a-uuid' },
    ] }));
    expect(ingest.body.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'rejected']);
    const report = await json(`/v1/metrics/recommendations?from=${from}&to=${new Date(Date.now() + 60_000).toISOString()}`);
    expect(report.status).toBe(200);
    const personalized = report.body.lists.find((l: { source: string }) => l.source === 'personalized');
    expect(personalized).toEqual({ model_version: known.body.model_version, source: 'personalized', strategy: 'personalized', served: 1, clicks: 2, ctr: 1, orders: 1, revenue: 9 });
    expect(report.body.lists.find((l: { source: string }) => l.source === 'fallback')).toMatchObject({ served: 1, clicks: 0, ctr: 0, orders: 0 });
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/^retain_recommendations_served_total\{source="personalized"\} 1$/m);
    expect(metrics).toMatch(/^retain_recommendation_clicks_total 2$/m);
    expect(metrics).toMatch(/^retain_recommendation_conversions_total 1$/m);

    // lists older than ATTRIBUTION_DAYS are pruned
    await shop.database.db.execute(sql`update served_recommendations set served_at = now() - interval '91 days' where id = ${unknown.body.recommendation_id}`);
    expect(await shop.runtime.attribution.prune()).toBe(1);
    // a full buffer drops lists and counts them instead of growing
    const small = new AttributionService(shop.database.db, createLogger('silent'), new Set(['c5']), { retentionDays: 90, capacity: 3, flushMs: 0, batchSize: 1 });
    const lists = ['c4', 'c5', 'c6', 'c7'].map((c, k) => ({ ...shop.runtime.recommendations.forCustomer(c, { limit: k + 1 }), recommendationId: crypto.randomUUID() }));
    for (const l of lists) small.served(l);
    expect(small.buffered).toBe(3);
    expect(small.counts.dropped).toBe(1);
    await small.flush();
    expect(small.buffered).toBe(0);
    // batches of one: each list with its own items; c5 (erased for this recorder) left out; c7 dropped
    const written = await rows<{ customer_external_id: string; items: string[] }>(
      sql`select customer_external_id, items from served_recommendations where id in (${sql.join(lists.map((l) => sql`${l.recommendationId}::uuid`), sql`, `)}) order by customer_external_id`,
    );
    expect(written).toEqual([lists[0]!, lists[2]!].map((l) => ({ customer_external_id: l.customerId, items: l.items.map((i) => i.itemId) })));
  });

  it('erases a member\'s memberships, contacts and served lists; results computed afterwards leave them out', async () => {
    const members = await membersOf(walkthrough);
    const victim = members.find((m) => m.customer_id === 'c1')!;
    const before = await json(`/v1/campaigns/${walkthrough}/results`);
    const armBefore = before.body.arms.find((a: { name: string }) => a.name === victim.arm);
    const res = await json('/v1/customers/c1', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(res.body.deleted.campaign_memberships).toBe(3);
    expect(res.body.deleted.served_lists).toBe(1);
    const [left] = await rows<{ memberships: number; contacts: number; served: number }>(
      sql`select (select count(*)::int from campaign_members m join customers c on c.id = m.customer_id where c.external_id = 'c1') as memberships,
                 (select count(*)::int from contacts k join customers c on c.id = k.customer_id where c.external_id = 'c1') as contacts,
                 (select count(*)::int from served_recommendations where customer_external_id = 'c1') as served`,
    );
    expect(left).toEqual({ memberships: 0, contacts: 0, served: 0 });
    const after = await json(`/v1/campaigns/${walkthrough}/results`);
    expect(after.body.arms.find((a: { name: string }) => a.name === victim.arm).members).toBe(armBefore.members - 1);
    expect((await json(`/v1/campaigns/${walkthrough}`)).body.members).toBe(members.length - 1);
  });

  it('takes the win-back filters of the at-risk list: the same customers as the list with the same filter', async () => {
    const filters = [
      { query: 'min_orders=2', audience: { min_orders: 2 } },
      { query: 'due=true', audience: { due: true } },
      { query: 'max_days_since_order=99', audience: { max_days_since_order: 99 } },
      { query: 'tier=medium&min_days_since_order=100&max_days_since_order=100', audience: { tier: ['medium'], min_days_since_order: 100, max_days_since_order: 100 } },
    ];
    // a cadence for four of the fixture's customers: three past it (recency 10 + k days), one not; c2 unsubscribed
    await rows(sql`update customer_scores s set avg_days_between_orders = case c.external_id when 'c5' then 50 else 5 end from customers c where c.id = s.customer_id and c.external_id in ('c2', 'c3', 'c4', 'c5')`);
    const sizes: number[] = [];
    for (const f of filters) {
      const list = parseCsv((await json(`/v1/churn/at-risk?format=csv&${f.query}`)).text).rows.map((r) => r.customer_id!).sort();
      const created = await json('/v1/campaigns', send('POST', { name: `filter ${f.query}`, audience: f.audience, arms: [{ name: 'all', fraction: 1 }], seed: 'f' }));
      expect(created.status, f.query).toBe(201);
      expect(created.body.audience, f.query).toEqual(f.audience);
      expect((await membersOf(created.body.id)).map((m) => m.customer_id).sort(), f.query).toEqual(list);
      sizes.push(list.length);
    }
    // the synthetic customers (one order, 100 days ago, no cadence) are in the last filter only
    expect(sizes[3]).toBe(SIM_CUSTOMERS / 3);
    expect(sizes[1]).toBe(2);
    expect([sizes[0], sizes[2]].every((n) => n! > 0 && n! < 20), String(sizes)).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/api/app.ts';
import { closeShop, ITEMS, openShopApp, type Shop } from './fixture.ts';

/** The value of one sample line `name{labels} value` (labels exactly as exposed), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

// Metrics do not depend on the engine: PGlite only.
describe('/metrics', () => {
  let shop: Shop;
  let app: App;
  beforeAll(async () => {
    ({ shop, app } = await openShopApp('pglite'));
  }, 60_000);
  afterAll(() => closeShop(shop));

  const scrape = async () => {
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text();
  };
  const recs = '{method="GET",route="/v1/customers/:customer_id/recommendations"}';
  const recs200 = '{method="GET",route="/v1/customers/:customer_id/recommendations",status="200"}';

  it('counts every request by route and status, exactly, across scrapes', async () => {
    for (let i = 0; i < 7; i++) expect((await app.request(`/v1/customers/c${(i % 8) + 1}/recommendations`)).status).toBe(200);
    expect((await app.request('/v1/customers/c1/recommendations?limit=0')).status).toBe(400);
    let text = await scrape();
    expect(sample(text, 'retain_http_requests_total', recs200)).toBe(7);
    expect(sample(text, 'retain_http_requests_total', '{method="GET",route="/v1/customers/:customer_id/recommendations",status="400"}')).toBe(1);
    // a scrape hands over what was counted since the last one, never twice
    text = await scrape();
    expect(sample(text, 'retain_http_requests_total', recs200)).toBe(7);
    expect(sample(text, 'retain_http_requests_total', '{method="GET",route="/metrics",status="200"}')).toBe(1);
    await app.request('/v1/customers/c2/recommendations');
    expect(sample(await scrape(), 'retain_http_requests_total', recs200)).toBe(8);
  });

  it('has a latency histogram per route with cumulative buckets', async () => {
    const text = await scrape();
    const buckets = text
      .split('\n')
      .filter((l) => l.startsWith('retain_http_request_duration_seconds_bucket{') && l.includes('route="/v1/customers/:customer_id/recommendations"'));
    expect(buckets.map((l) => /le="([^"]+)"/.exec(l)![1])).toEqual(['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '1', '5', '+Inf']);
    const counts = buckets.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const n = sample(text, 'retain_http_request_duration_seconds_count', recs);
    expect(n).toBe(9); // 8 answered plus the 400, all observed
    expect(counts.at(-1)).toBe(n);
    const sum = sample(text, 'retain_http_request_duration_seconds_sum', recs)!;
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThan(n! * 5);
  });

  it('exposes the default process and GC metrics', async () => {
    const text = await scrape();
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(sample(text, name)).toBeGreaterThanOrEqual(0);
    }
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
  });

  it('reads the model, catalog, fold-in and key gauges from the runtime at scrape time', async () => {
    let text = await scrape();
    expect(sample(text, 'retain_model_loaded', `{version="${shop.runtime.models.current!.manifest.version}"}`)).toBe(1);
    expect(sample(text, 'retain_model_reloads_total')).toBe(shop.runtime.models.reloads);
    expect(sample(text, 'retain_catalog_items')).toBe(ITEMS.length);
    expect(sample(text, 'retain_fold_in_pending')).toBe(shop.runtime.recommendations.pendingPrefetch);
    expect(sample(text, 'retain_api_keys_active')).toBe(0);
    expect(sample(text, 'retain_array_buffers_bytes')).toBeGreaterThan(0);
    const fresh = sample(text, 'retain_fresh_purchase_customers')!;
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_id: 'm-1', type: 'purchase', customer_id: 'metrics-new', item_id: 'lamp', occurred_at: '2011-10-05T10:00:00Z' }] }),
    });
    expect(res.status).toBe(200);
    await app.request('/v1/items/brand-new', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'New' }) });
    text = await scrape();
    expect(sample(text, 'retain_fresh_purchase_customers')).toBe(fresh + 1);
    expect(sample(text, 'retain_catalog_items')).toBe(ITEMS.length + 1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/api/app.ts';
import { checkBinding, listen, type RunningServer } from '../../src/api/server.ts';
import { createLogger } from '../../src/logger.ts';
import { openTestDatabase } from '../helpers/db.ts';
import { HISTORY, openShop, saveModel, trainState, type Shop } from './fixture.ts';

const logger = createLogger('silent');

describe('the service on a real port', () => {
  let shop: Shop;
  let app: App;
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    shop = await openShop(await openTestDatabase('pglite'), { pollMs: 50 });
    app = createApp({ runtime: shop.runtime, logger });
    // a deliberately slow route, to have a request in flight during shutdown
    app.get('/test/slow', async (c) => {
      await new Promise((r) => setTimeout(r, 300));
      return c.text('done');
    });
    server = await listen(app, { port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${server.port}`;
  }, 60_000);
  afterAll(async () => {
    await server?.close(1000).catch(() => {});
    await shop?.close();
    await shop?.database.close();
  });

  it('answers health, readiness and recommendations over HTTP', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = (await (await fetch(`${base}/readyz`)).json()) as { ready: boolean; model_version: string };
    expect(ready.ready).toBe(true);
    const recs = (await (await fetch(`${base}/v1/customers/c2/recommendations?limit=2`)).json()) as { items: unknown[] };
    expect(recs.items).toHaveLength(2);
  });

  it('hot-reloads a new model under concurrent requests with zero failures', async () => {
    const before = shop.runtime.models.current!.manifest.version;
    const seen = new Set<string>();
    const failures: string[] = [];
    let stop = false;
    const customers = [...Object.keys(HISTORY), 'ghost'];
    const worker = async (w: number) => {
      let n = 0;
      while (!stop) {
        const id = customers[(w + n++) % customers.length]!;
        const res = await fetch(`${base}/v1/customers/${id}/recommendations?limit=3`);
        const body = (await res.json()) as { model_version?: string; items?: unknown[] };
        if (res.status !== 200 || !body.items || body.items.length === 0) failures.push(`${res.status} ${JSON.stringify(body)}`);
        else seen.add(body.model_version!);
      }
      return n;
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 200));
    // a new version trained on more data lands on disk and becomes CURRENT; the poll picks it up
    const next = await saveModel(shop.modelsDir, trainState({ ...HISTORY, c9: ['lamp', 'bag-tote', 'mug-red'] }));
    const deadline = Date.now() + 10_000;
    while (shop.runtime.models.current!.manifest.version !== next && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    // and an operator rolls back through the API while the load goes on
    const rollback = await fetch(`${base}/v1/models/recommender/${before}/activate`, { method: 'POST' });
    expect(rollback.status).toBe(200);
    expect(((await rollback.json()) as { loaded: boolean }).loaded).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    const counts = await Promise.all(workers);
    expect(failures).toEqual([]);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    expect([...seen].sort()).toEqual([before, next].sort());
    expect(shop.runtime.models.current!.manifest.version).toBe(before);
  }, 30_000);

  it('lists model versions with the active and loaded one marked', async () => {
    const { models } = (await (await fetch(`${base}/v1/models`)).json()) as { models: { kind: string; active: boolean; loaded: boolean }[] };
    const recommenders = models.filter((m) => m.kind === 'recommender');
    expect(recommenders).toHaveLength(2);
    expect(recommenders.filter((m) => m.active && m.loaded)).toHaveLength(1);
  });

  it('finishes in-flight requests on shutdown and then refuses new connections', async () => {
    const inFlight = fetch(`${base}/test/slow`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const closed = server.close(5000);
    expect(await inFlight).toBe('done');
    await closed;
    // closed once the request ended, not by the grace-period timeout
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});

describe('binding rule', () => {
  it('allows loopback without keys and refuses any other address', () => {
    expect(() => checkBinding('127.0.0.1', 0)).not.toThrow();
    expect(() => checkBinding('::1', 0)).not.toThrow();
    expect(() => checkBinding('0.0.0.0', 0)).toThrow(/without an API key/);
    expect(() => checkBinding('0.0.0.0', 1)).not.toThrow();
  });
});

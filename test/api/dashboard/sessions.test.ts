import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../../src/api/app.ts';
import { createLogger } from '../../../src/logger.ts';
import { createApiKey } from '../../../src/services/api-keys.ts';
import { ServiceRuntime } from '../../../src/services/runtime.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';
import { openShop, type Shop } from '../fixture.ts';
import { Browser } from './browser.ts';

describe.each(testEngines())('dashboard sessions across replicas (%s)', (engine) => {
  let shop: Shop;
  let other: ServiceRuntime;
  let a: App;
  let b: App;
  let token: string;
  beforeAll(async () => {
    shop = await openShop(await openTestDatabase(engine));
    token = (await createApiKey(shop.database.db, 'viewer', ['read'])).token;
    await shop.runtime.keys.refresh();
    // a second replica: its own runtime and app (its own memory) over the same database
    other = new ServiceRuntime({ database: shop.database, modelsDir: shop.modelsDir, logger: createLogger('silent'), pollMs: 0 });
    await other.start();
    a = createApp({ runtime: shop.runtime, logger: createLogger('silent') });
    b = createApp({ runtime: other, logger: createLogger('silent') });
  }, 60_000);
  afterAll(async () => {
    other?.stop();
    await shop?.close();
    await shop?.database.close();
  });

  it('a session started on one replica works on the other, and a logout on one ends it on both at once', async () => {
    const browser = new Browser(a);
    await browser.post('/dashboard/login', { _csrf: await browser.csrf('/dashboard/login'), key: token });
    const cookie = { cookie: `retain_session=${browser.cookies.get('retain_session')}` };
    expect((await b.request('/dashboard/segments', { headers: cookie })).status).toBe(200);
    expect((await a.request('/dashboard/segments', { headers: cookie })).status).toBe(200);

    const out = await browser.post('/dashboard/logout', { _csrf: await browser.csrf('/dashboard/segments') });
    expect(out.status).toBe(303);
    // no poll in between: the other replica asks the database on each request
    for (const app of [b, a]) {
      const res = await app.request('/dashboard/segments', { headers: cookie });
      expect([res.status, res.headers.get('location')]).toEqual([303, '/dashboard/login?next=%2Fdashboard%2Fsegments']);
    }
    // a new sign-in is a new session, unaffected by the old one's logout
    const again = new Browser(b);
    await again.post('/dashboard/login', { _csrf: await again.csrf('/dashboard/login'), key: token });
    expect((await a.request('/dashboard', { headers: { cookie: `retain_session=${again.cookies.get('retain_session')}` } })).status).toBe(200);
  });
});

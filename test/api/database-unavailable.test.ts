// The database goes away under a running server and comes back. The server reaches PostgreSQL
// through a TCP proxy in this test, which can refuse (PostgreSQL stopped: open connections reset,
// new ones refused) or go silent (the network swallows packets: new connections never answered)
// and then restore, without touching the machine's PostgreSQL. PostgreSQL only: PGlite runs inside
// the process and cannot go away while the process lives.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.ts';
import { listen, type RunningServer } from '../../src/api/server.ts';
import { migrate, openDatabase, queryRows, SERVICE_TIMEOUTS, type Database } from '../../src/db/client.ts';
import { upsertItems } from '../../src/db/queries/items.ts';
import { createPostgresTestDatabase, testEngines } from '../helpers/db.ts';
import { openShop, type Shop } from './fixture.ts';

class PostgresProxy {
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private silent = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      if (this.silent) return;
      const upstream = connect(this.target.port, this.target.host);
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** PostgreSQL stopped: open connections reset, new ones refused. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    this.dropAll();
    await closed;
  }

  /** The network swallows packets: open connections cut, new ones accepted and never answered. */
  goSilent(): void {
    this.silent = true;
    this.dropAll();
  }

  async restore(): Promise<void> {
    this.silent = false;
    this.dropAll();
    if (!this.server) await this.open();
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => this.sockets.delete(s));
  }

  private dropAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

/** Every route that needs the database, with a request each can answer with 2xx when it is there. */
const databaseRoutes = (phase: string): Call[] => [
  { method: 'GET', path: '/v1/customers/c1' },
  { method: 'PUT', path: '/v1/customers/c2/consent', body: { unsubscribed: false } },
  { method: 'DELETE', path: '/v1/customers/c8' },
  { method: 'GET', path: '/v1/churn/at-risk?tier=high' },
  { method: 'GET', path: '/v1/churn/at-risk?format=csv' },
  { method: 'GET', path: '/v1/segments' },
  { method: 'GET', path: '/v1/metrics/retention?from=2011-06-01&to=2011-09-01' },
  { method: 'GET', path: `/v1/items/popular?window_days=${phase === 'before' ? 30 : phase === 'refused' ? 31 : phase === 'silent' ? 32 : 33}` },
  { method: 'PUT', path: '/v1/items/lamp', body: { price: 21 } },
  { method: 'PUT', path: '/v1/items', body: { items: [{ item_id: 'bag-tote', price: 9.5 }] } },
  { method: 'POST', path: '/v1/events', body: { events: [{ event_id: `${phase}-view`, type: 'view', customer_id: 'c1', item_id: 'lamp', occurred_at: '2011-12-01T00:00:00Z' }] } },
];

/** Routes answered from memory: they must not notice the database is gone. */
const memoryRoutes: Call[] = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/v1/customers/c1/recommendations?limit=3' },
  { method: 'GET', path: '/v1/customers/stranger/recommendations?limit=3' },
  { method: 'GET', path: '/v1/items/mug-red/similar?limit=3' },
  { method: 'GET', path: '/v1/items/popular?limit=3' },
  { method: 'POST', path: '/v1/recommendations/batch', body: { customer_ids: ['c1', 'c4'], limit: 2 } },
  { method: 'GET', path: '/v1/models' },
];

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;

describe.skipIf(!testEngines().includes('postgres'))('the database goes away under a running server (PostgreSQL)', () => {
  let created: { url: string; drop(): Promise<void> };
  let proxy: PostgresProxy;
  let database: Database;
  let direct: Database;
  let shop: Shop;
  let server: RunningServer;
  let base: string;
  const logs: { msg: string }[] = [];

  const call = async (c: Call) => {
    const started = performance.now();
    const res = await fetch(`${base}${c.path}`, {
      method: c.method,
      ...(c.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(c.body) }),
    });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), text };
  };

  const expectAnswered = async (calls: Call[]) => {
    for (const c of calls) expect((await call(c)).status, `${c.method} ${c.path}`).toBeLessThan(300);
  };

  const expectUnavailable = async (calls: Call[]) => {
    for (const c of calls) {
      const r = await call(c);
      const what = `${c.method} ${c.path}: ${r.status} ${r.text.slice(0, 200)}`;
      expect(r.status, what).toBe(503);
      expect(r.type, what).toBe('application/problem+json');
      expect(JSON.parse(r.text), what).toMatchObject({ status: 503, code: 'database_unavailable' });
      expect(r.retryAfter, what).toBe('2');
      expect(r.ms, what).toBeLessThan(2000);
    }
  };

  const waitUntil = async (check: () => Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    created = await createPostgresTestDatabase();
    const target = new URL(serverUrl!);
    proxy = new PostgresProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    const proxied = new URL(created.url);
    proxied.host = `127.0.0.1:${proxy.port}`;
    // the service's pool, with the timeouts `retain serve` uses; a second pool reaches the database directly, as another replica would
    database = await openDatabase({ url: proxied.toString(), maxConnections: 4, timeouts: SERVICE_TIMEOUTS });
    await migrate(database);
    direct = await openDatabase({ url: created.url, maxConnections: 2 });
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string }) });
    shop = await openShop(database, { pollMs: 100, logger });
    server = await listen(createApp({ runtime: shop.runtime, logger }), { port: 0, host: '127.0.0.1', logger });
    base = `http://127.0.0.1:${server.port}`;
  }, 60_000);

  afterAll(async () => {
    await server?.close(1000);
    await shop?.close();
    await database?.close();
    await direct?.close();
    await proxy?.close();
    await created?.drop();
  });

  it('answers every route while the database is there', async () => {
    expect((await call({ method: 'GET', path: '/readyz' })).status).toBe(200);
    await expectAnswered([...databaseRoutes('before'), ...memoryRoutes]);
  });

  it('answers 503 database_unavailable with Retry-After within 2 s when PostgreSQL refuses, and recommendations from memory', async () => {
    await proxy.refuse();
    await expectUnavailable(databaseRoutes('refused'));
    await expectAnswered(memoryRoutes);
    const ready = await call({ method: 'GET', path: '/readyz' });
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text)).toMatchObject({ ready: false, database: false, model_loaded: true });
    expect(ready.ms).toBeLessThan(2000);
  });

  it('refuses an event batch whole while the database is away: nothing stored, all accepted on retry', async () => {
    const events = ['away-1', 'away-2', 'away-3'].map((event_id, k) => ({ event_id, type: 'purchase', customer_id: 'c5', item_id: 'lamp', occurred_at: `2011-12-0${k + 1}T10:00:00Z` }));
    await expectUnavailable([{ method: 'POST', path: '/v1/events', body: { events } }]);
    const stored = await queryRows<{ n: number }>(direct.db, sql`select count(*)::int as n from events where event_id like 'away-%'`);
    expect(stored[0]!.n).toBe(0);
    await proxy.restore();
    await waitUntil(async () => (await call({ method: 'GET', path: '/readyz' })).status === 200);
    // the pool's connections come back one by one: on a loaded machine a request may still meet one
    // that is reconnecting and get the 503 again, and the client retries after Retry-After as told
    let retry = await call({ method: 'POST', path: '/v1/events', body: { events } });
    await waitUntil(async () => retry.status !== 503 || (retry = await call({ method: 'POST', path: '/v1/events', body: { events } })).status !== 503);
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.text)).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0 });
    // the replica poll sees the first outage end before the next one starts (a loaded machine may delay its tick)
    await waitUntil(async () => logs.filter((l) => l.msg === 'replica sync recovered').length === 1);
  });

  it('answers 503 within 2 s when the network swallows new connections (connect timeout, not TCP\'s)', async () => {
    proxy.goSilent();
    await expectUnavailable(databaseRoutes('silent'));
    await expectAnswered(memoryRoutes);
  });

  it('recovers without a restart: every route answers again and the replica poll catches up on writes made meanwhile', async () => {
    // another replica, still reaching the database, takes the lamp out of the catalog while this one cannot see it
    await upsertItems(direct.db, [{ externalId: 'lamp', active: false }]);
    // two outages so far (refused, silent), polled every 100 ms: logged once each (on a loaded machine the poll's
    // connect timeout in the silent outage may still be running, so wait for it before counting)
    const syncFailures = () => logs.filter((l) => l.msg.startsWith('replica sync failed')).length;
    await waitUntil(async () => syncFailures() >= 2);
    expect(syncFailures()).toBe(2);
    await proxy.restore();
    await waitUntil(async () => (await call({ method: 'GET', path: '/readyz' })).status === 200);
    await expectAnswered([...databaseRoutes('after'), ...memoryRoutes]);
    await waitUntil(async () => shop.runtime.catalog.get('lamp')?.eligible === false);
    const similar = JSON.parse((await call({ method: 'GET', path: '/v1/items/bag-tote/similar?limit=10' })).text) as { items: { item_id: string }[] };
    expect(similar.items.map((i) => i.item_id)).not.toContain('lamp');
    await waitUntil(async () => logs.filter((l) => l.msg === 'replica sync recovered').length === 2);
  });
});

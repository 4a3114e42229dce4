import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { openShop, type Shop } from '../api/fixture.ts';

// Two replicas over one database: what one writes, the other serves after its next poll.
describe.each(testEngines())('replica sync (%s)', (engine) => {
  let shop: Shop;
  let other: ServiceRuntime;
  beforeAll(async () => {
    shop = await openShop(await openTestDatabase(engine));
    other = new ServiceRuntime({ database: shop.database, modelsDir: shop.modelsDir, logger: createLogger('silent'), pollMs: 0 });
    await other.start();
  }, 60_000);
  afterAll(async () => {
    other?.stop();
    await shop?.close();
    await shop?.database.close();
  });

  const top = (rt: ServiceRuntime, customer: string, limit = 10) => rt.recommendations.forCustomer(customer, { limit }).items.map((i) => i.itemId);

  it('sees catalog changes, erasures and fresh purchases made through another replica', async () => {
    const a = shop.runtime;
    const first = top(other, 'c1', 1)[0]!;
    await a.items.upsert([{ externalId: first, active: false }]);
    expect(top(a, 'c1')).not.toContain(first);
    expect(top(other, 'c1')).toContain(first);

    await a.customers.erase('c5');
    await a.events.ingest([{ index: 0, event: { eventId: 'sync-1', type: 'purchase', customerId: 'c6', itemId: 'bag-tote', quantity: 1, occurredAt: new Date('2011-10-01T00:00:00Z') } }], []);
    expect(other.recommendations.forCustomer('c5', { limit: 3 }).source).toBe('personalized');
    expect(top(other, 'c6')).toContain('bag-tote');

    await other.sync();
    expect(top(other, 'c1')).not.toContain(first);
    expect(other.recommendations.forCustomer('c5', { limit: 3 }).source).toBe('fallback');
    expect(top(other, 'c6')).not.toContain('bag-tote');
    expect(other.freshCustomers).toBe(1);
  });

  it.skipIf(engine === 'pglite')('gives up a round stuck on the database and follows it again in the next one', async () => {
    const stuck = new ServiceRuntime({ database: shop.database, modelsDir: shop.modelsDir, logger: createLogger('silent'), pollMs: 0, syncDeadlineMs: 300 });
    await stuck.start();
    try {
      await shop.database.withSession(async (session) => {
        // another session holds the catalog: the round's read of it waits, as on a connection that went silent
        await session.exec('BEGIN');
        await session.exec('LOCK TABLE items IN ACCESS EXCLUSIVE MODE');
        const started = Date.now();
        await expect(stuck.sync()).rejects.toThrow(/given up/);
        expect(Date.now() - started).toBeLessThan(2_000);
        await session.exec('COMMIT');
      });
      await shop.runtime.items.upsert([{ externalId: 'bag-tote', active: false }]);
      await stuck.sync();
      expect(stuck.catalog.get('bag-tote')?.eligible).toBe(false);
    } finally {
      stuck.stop();
    }
  });
});

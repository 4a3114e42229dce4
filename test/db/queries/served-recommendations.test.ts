import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../../src/db/client.ts';
import { insertServed, type ServedRow } from '../../../src/db/queries/served-recommendations.ts';
import { customers } from '../../../src/db/schema/index.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';

describe.each(testEngines())('insertServed (%s)', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    await database.db.insert(customers).values([{ externalId: 'kept' }, { externalId: 'gone', erasedAt: new Date() }]);
  });
  afterAll(async () => {
    await database.close();
  });

  const row = (customer: string, items: string[]): ServedRow => ({
    id: randomUUID(), customerExternalId: customer, modelVersion: 'v"1', source: 'personalized', strategy: 'personalized', items, servedAt: Date.UTC(2026, 11, 8, 1, 2, 3, 456),
  });

  it('stores every list with its items as given, whatever characters the ids hold; erased customers left out; a repeated id ignored', async () => {
    const odd = ['a,b', 'x"y', 'back\\slash', '{braces}', 'NULL', '', ' spaced ', 'ünï€ode', 'quote\'s'];
    const lists = [row('kept', odd), row('unknown-to-the-shop', ['i1']), row('gone', ['i2']), row('kept', [])];
    await insertServed(database.db, lists);
    await insertServed(database.db, [{ ...lists[0]!, items: ['changed'] }]);
    const stored = await queryRows<{ id: string; customer_external_id: string; model_version: string; items: string[]; served_at: string | Date }>(
      database.db,
      sql`select id, customer_external_id, model_version, items, served_at from served_recommendations order by customer_external_id, cardinality(items) desc`,
    );
    expect(stored.map((s) => ({ ...s, served_at: new Date(s.served_at).getTime() }))).toEqual(
      [lists[0]!, lists[3]!, lists[1]!].map((l) => ({ id: l.id, customer_external_id: l.customerExternalId, model_version: 'v"1', items: l.items, served_at: l.servedAt })),
    );
  });
});

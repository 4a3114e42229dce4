// Test databases: PGlite always; PostgreSQL too when TEST_DATABASE_URL (or DATABASE_URL) is set.
// Each openTestDatabase call gets its own fresh, migrated database, dropped at close, so test files
// and concurrent runs never see each other's rows.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate, openDatabase, type Database, type Engine } from '../../src/db/client.ts';

const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

/** The engines to run database tests on; use with `describe.each(testEngines())`. */
export function testEngines(): Engine[] {
  return serverUrl ? ['pglite', 'postgres'] : ['pglite'];
}

export async function openTestDatabase(engine: Engine): Promise<Database> {
  if (engine === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory' });
    await migrate(database);
    return database;
  }
  const created = await createPostgresTestDatabase();
  const database = await openDatabase({ url: created.url, maxConnections: 4 });
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    await created.drop();
    throw err;
  }
  return {
    ...database,
    async close() {
      try {
        await database.close();
      } finally {
        await created.drop();
      }
    },
  };
}

/**
 * A fresh, empty database on the test PostgreSQL server, for tests that open it their own way
 * (through a proxy, with other timeouts); `drop` removes it (close the connections first).
 */
export async function createPostgresTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!serverUrl) throw new Error('postgres tests need TEST_DATABASE_URL or DATABASE_URL');
  const name = `retain_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

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
  if (!serverUrl) throw new Error('postgres tests need TEST_DATABASE_URL or DATABASE_URL');
  const name = `retain_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), maxConnections: 4 });
  try {
    await migrate(database);
  } catch (err) {
    await dropDatabase(database, admin, name);
    throw err;
  }
  return { ...database, close: () => dropDatabase(database, admin, name) };
}

async function dropDatabase(database: Database, admin: postgres.Sql, name: string): Promise<void> {
  try {
    await database.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

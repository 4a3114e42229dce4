import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase, SERVICE_TIMEOUTS } from '../../src/db/client.ts';
import { asDatabaseUnavailable } from '../../src/db/unavailable.ts';
import { DatabaseUnavailableError } from '../../src/errors.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('asDatabaseUnavailable', () => {
  it('recognises connection failures and the server states that mean "not now", through wrappers', () => {
    for (const code of ['ECONNREFUSED', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', '57014', '57P01', '57P03', '53300', '08006', '08001']) {
      expect(asDatabaseUnavailable(withCode(code)), code).toBeInstanceOf(DatabaseUnavailableError);
    }
    // drizzle's DrizzleQueryError keeps the driver error as cause; Node's dual-stack connect aggregates
    expect(asDatabaseUnavailable(new Error('Failed query', { cause: withCode('ECONNRESET') }))).toBeInstanceOf(DatabaseUnavailableError);
    expect(asDatabaseUnavailable(new AggregateError([withCode('ECONNREFUSED')]))).toBeInstanceOf(DatabaseUnavailableError);
  });

  it('leaves bugs and bad data alone', () => {
    for (const code of ['22021', '23505', '42P01', '22003', 'ERR_INVALID_ARG_TYPE']) expect(asDatabaseUnavailable(withCode(code)), code).toBeUndefined();
    expect(asDatabaseUnavailable(new TypeError('x is undefined'))).toBeUndefined();
    expect(asDatabaseUnavailable(undefined)).toBeUndefined();
  });

  it('classifies what the real drivers throw', async () => {
    // nothing listens on port 1: refused at once
    const refused = postgres('postgres://nobody@127.0.0.1:1/none', { max: 1, connect_timeout: 1, onnotice: () => {} });
    const err = await refused`select 1`.catch((e: unknown) => e);
    await refused.end({ timeout: 0 });
    expect(asDatabaseUnavailable(err)).toBeInstanceOf(DatabaseUnavailableError);
    for (const engine of testEngines()) {
      const database = await openTestDatabase(engine);
      try {
        // a NUL is a bug in the input, not an outage
        const nul = await database.db.execute(sql`select ${'a\u0000b'}::text`).catch((e: unknown) => e);
        expect(nul, engine).toBeInstanceOf(Error);
        expect(asDatabaseUnavailable(nul), engine).toBeUndefined();
      } finally {
        await database.close();
      }
    }
  });

  it.skipIf(!testEngines().includes('postgres'))('turns a statement over the service statement timeout into "unavailable"', async () => {
    const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL!;
    const database = await openDatabase({ url, maxConnections: 1, timeouts: SERVICE_TIMEOUTS });
    try {
      const started = performance.now();
      const err = await database.db.execute(sql`select pg_sleep(5)`).catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(SERVICE_TIMEOUTS.statementMs + 1000);
      expect(asDatabaseUnavailable(err)).toBeInstanceOf(DatabaseUnavailableError);
    } finally {
      await database.close();
    }
  });
});

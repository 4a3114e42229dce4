import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { MIGRATIONS_DIR, migrate, openDatabase, openMigratedDatabase, queryRows, SERVICE_TIMEOUTS, type Database } from '../../src/db/client.ts';
import { ConflictError } from '../../src/errors.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
const serverUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

describe.each(testEngines())('database client on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('names its engine', () => {
    expect(database.engine).toBe(engine);
  });

  it('returns the rows of a raw query as plain objects, whichever driver is behind it', async () => {
    const rows = await queryRows<{ n: number; s: string; missing: null }>(database.db, sql`select n::int as n, 'x' || n as s, null as missing from generate_series(1, 3) as n order by n`);
    expect(rows).toEqual([
      { n: 1, s: 'x1', missing: null },
      { n: 2, s: 'x2', missing: null },
      { n: 3, s: 'x3', missing: null },
    ]);
    expect(await queryRows(database.db, sql`select 1 as one where false`)).toEqual([]);
  });

  it('has applied every committed migration once, and migrating again changes nothing', async () => {
    const applied = async () => (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n;
    expect(await applied()).toBe(journal.entries.length);
    await migrate(database);
    expect(await applied()).toBe(journal.entries.length);
    // the newest migration ran: the model_versions table nothing read is gone
    const tables = await queryRows<{ t: string | null }>(database.db, sql`select to_regclass('public.model_versions')::text as t`);
    expect(tables).toEqual([{ t: null }]);
  });

  it('keeps session state on one connection for a bulk job: temporary tables, transactions, COPY', async () => {
    const loaded = await database.withSession(async (session) => {
      await session.exec('CREATE TEMP TABLE client_stage (id int, label text)');
      await session.exec('BEGIN');
      await session.copyIn('client_stage', ['id', 'label'], '1\tone\n2\t\\N\n3\tthree, with a comma\n');
      const inside = await session.query<{ id: number; label: string | null }>('SELECT id, label FROM client_stage WHERE id >= $1 ORDER BY id', [2]);
      await session.exec('ROLLBACK');
      const after = await session.query<{ n: number }>('SELECT count(*)::int AS n FROM client_stage');
      return { inside, after: after[0]!.n };
    });
    expect(loaded.inside).toEqual([
      { id: 2, label: null },
      { id: 3, label: 'three, with a comma' },
    ]);
    expect(loaded.after).toBe(0); // the rolled-back COPY left nothing
  });

  it('fails a COPY whose data the server refuses, at once, and the session goes on', async () => {
    // postgres.js loses this error once the data is sent: copyIn used to wait for ever
    const outcome = await database.withSession(async (session) => {
      await session.exec('CREATE TEMP TABLE refused_stage (id int)');
      const refused = await session.copyIn('refused_stage', ['id'], '1\nnot a number\n').then(
        () => 'stored',
        (err: unknown) => (err as Error).message,
      );
      await session.exec('BEGIN');
      const inTransaction = await session.copyIn('refused_stage', ['id'], `${'2\n'.repeat(100_000)}three\n`).then(
        () => 'stored',
        (err: unknown) => (err as Error).message,
      );
      await session.exec('ROLLBACK');
      await session.copyIn('refused_stage', ['id'], '4\n5\n');
      const rows = await session.query<{ id: number }>('SELECT id FROM refused_stage ORDER BY id');
      await session.exec('DROP TABLE refused_stage');
      return { refused, inTransaction, rows: rows.map((r) => r.id) };
    });
    expect(outcome.refused).toMatch(/invalid input syntax for type integer: "not a number"/);
    expect(outcome.inTransaction).toMatch(/invalid input syntax for type integer: "three"/);
    expect(outcome.rows).toEqual([4, 5]);
  }, 20_000);
});

describe('openDatabase on a PGlite data directory', () => {
  it('refuses a directory locked by another live process and takes over a dead one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retain-pglite-'));
    writeFileSync(join(dir, 'retain.lock'), String(process.ppid));
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(ConflictError);

    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'retain.lock'), dead);
    const database = await openDatabase({ dataDir: dir });
    expect(readFileSync(join(dir, 'retain.lock'), 'utf8')).toBe(String(process.pid));
    await database.close();
    expect(existsSync(join(dir, 'retain.lock'))).toBe(false);
  });

  it('keeps data across close and reopen, and close releases the lock for the next opener', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retain-pglite-'));
    const first = await openDatabase({ dataDir: dir });
    await migrate(first);
    await first.db.execute(sql`insert into items (external_id, title) values ('kept', 'Kept item')`);
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    try {
      expect(await queryRows(second.db, sql`select external_id, title from items`)).toEqual([{ external_id: 'kept', title: 'Kept item' }]);
    } finally {
      await second.close();
    }
  });
});

describe.runIf(serverUrl)('openDatabase on PostgreSQL', () => {
  const name = `retain_client_${process.pid}_${randomBytes(4).toString('hex')}`;
  let admin: postgres.Sql;
  let url: string;
  beforeAll(async () => {
    admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const u = new URL(serverUrl!);
    u.pathname = `/${name}`;
    url = u.toString();
  });
  afterAll(async () => {
    await admin?.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin?.end({ timeout: 5 });
  });

  const connections = async () => (await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${name}`)[0]!.n;

  it('never opens more connections than maxConnections, and close releases them all', async () => {
    const database = await openDatabase({ url, maxConnections: 2 });
    try {
      expect(database.engine).toBe('postgres');
      const started = performance.now();
      const pids = await Promise.all(
        Array.from({ length: 6 }, async () => (await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid, pg_sleep(0.2)`))[0]!.pid),
      );
      expect(new Set(pids).size).toBe(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(550); // 6 sleeps of 0.2 s on 2 connections: 3 rounds
      expect(await connections()).toBe(2);
    } finally {
      await database.close();
    }
    // a backend leaves pg_stat_activity a moment after its client hangs up
    for (let i = 0; i < 40 && (await connections()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await connections()).toBe(0);
    await expect(queryRows(database.db, sql`select 1`)).rejects.toThrow();
  });

  it('gives the service DATABASE_POOL connections', async () => {
    for (const pool of [3, 10]) {
      const database = await openMigratedDatabase(loadConfig({ DATABASE_URL: url, DATABASE_POOL: String(pool) }), SERVICE_TIMEOUTS);
      try {
        const pids = await Promise.all(Array.from({ length: 12 }, async () => (await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid, pg_sleep(0.1)`))[0]!.pid));
        expect(new Set(pids).size).toBe(pool);
      } finally {
        await database.close();
      }
    }
  });

  it('holds one reserved connection for a whole bulk session and gives it back', async () => {
    const database = await openDatabase({ url, maxConnections: 2 });
    try {
      const pids = await database.withSession(async (session) => {
        const a = await session.query<{ pid: number }>('select pg_backend_pid() as pid');
        const b = await session.query<{ pid: number }>('select pg_backend_pid() as pid');
        return [a[0]!.pid, b[0]!.pid];
      });
      expect(pids[0]).toBe(pids[1]);
      // released: both pool connections serve ordinary queries again
      const after = await Promise.all([0, 1].map(async () => (await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid, pg_sleep(0.1)`))[0]!.pid));
      expect(new Set(after).size).toBe(2);
    } finally {
      await database.close();
    }
  });
});

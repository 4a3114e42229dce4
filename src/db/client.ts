// The database factory: PostgreSQL through postgres.js when a URL is given, embedded PGlite
// otherwise. No global instance: callers open one and pass `db` (or the Database) down.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import type { Config } from '../config.ts';
import { ConflictError } from '../errors.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;
/** The one drizzle type every query function takes, whichever engine is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Engine = 'postgres' | 'pglite';

/**
 * One connection held for a bulk job: session state (temporary tables, an open transaction) stays
 * on it. SQL here is plain text with $1.. parameters.
 */
export type CopyFormat = 'text' | 'binary';

export interface BulkSession {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<void>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Loads one chunk of COPY data into a table: text format (tab-separated, \N for null, one row per
   * line; a string or its UTF-8 bytes), or binary format (header, rows and trailer: src/import/copy-binary.ts).
   */
  copyIn(table: string, columns: readonly string[], data: string | Uint8Array, format?: CopyFormat): Promise<void>;
}

export interface Database {
  db: Db;
  engine: Engine;
  /**
   * Runs `fn` on one dedicated connection, released afterwards. PGlite has a single connection:
   * other queries of the same process during `fn` join its transaction, so bulk jobs run before
   * the service starts serving (as `start` seeds) or from a command of their own.
   */
  withSession<T>(fn: (session: BulkSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL: use PostgreSQL. Without it, PGlite. */
  url?: string;
  /** PGlite data directory (created if missing), or 'memory' for a throw-away database. Default data/pglite. */
  dataDir?: string | 'memory';
  /** postgres.js pool size. */
  maxConnections?: number;
  /** PostgreSQL only: fail fast when the server is away (the service's SERVICE_TIMEOUTS). Default: none. */
  timeouts?: DatabaseTimeouts;
}

/**
 * How long a connection attempt and one statement may take before the driver gives up. The service
 * needs them short, so that a database that is away becomes a 503 within 2 s of the request instead
 * of a request hanging until TCP gives up; batch jobs go without, their statements may take minutes.
 */
export interface DatabaseTimeouts {
  connectMs: number;
  /** Sent as the session's statement_timeout: the server cancels a longer statement (SQLSTATE 57014). */
  statementMs: number;
}

/** The service's: together within the 2 s a request may take to learn that the database is away. */
export const SERVICE_TIMEOUTS: DatabaseTimeouts = { connectMs: 1000, statementMs: 1500 };

/**
 * Seconds before a connection that failed is tried again. postgres.js's default backoff grows to
 * 20 s after repeated failures, and requests queued on that connection wait it out; capped at
 * 0.25 s, a request meets the outage at once and a returning database is used at once.
 */
const SERVICE_BACKOFF = (retries: number) => Math.min(0.02 * 2 ** retries, 0.25);

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url, options.maxConnections ?? 10, options.timeouts) : openPglite(options.dataDir ?? 'data/pglite');
}

/** Applies the committed drizzle-kit migrations that have not run yet (same folder for both engines). */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_DIR };
  if (database.engine === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    await migratePglite(database.db as Parameters<typeof migratePglite>[0], config);
  } else await migratePostgres(database.db as Parameters<typeof migratePostgres>[0], config);
}

/**
 * The database the configuration names (DATABASE_URL, else PGlite in PGLITE_DIR) with every
 * migration applied: how every command and the service open it. Closed again if migrating fails.
 * Migrations run without `timeouts` (an index on a large table takes longer than any request
 * should); the PostgreSQL pool returned then has them, and DATABASE_POOL connections.
 */
export async function openMigratedDatabase(config: Pick<Config, 'DATABASE_URL' | 'PGLITE_DIR'> & Partial<Pick<Config, 'DATABASE_POOL'>>, timeouts?: DatabaseTimeouts): Promise<Database> {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.PGLITE_DIR });
  try {
    await migrate(database);
  } catch (err) {
    await database.close();
    throw err;
  }
  if (!timeouts || database.engine === 'pglite') return database;
  await database.close();
  return openDatabase({ url: config.DATABASE_URL, timeouts, maxConnections: config.DATABASE_POOL });
}

/** Rows of a raw query: the drivers shape `execute`'s result differently (array vs { rows }). */
export async function queryRows<T extends Record<string, unknown>>(db: Pick<Db, 'execute'>, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[];
}

// PGlite and its drizzle driver load only when opened: a process on PostgreSQL is spared about
// 20 MiB of RSS (bench/serve/memory.ts).
async function openPglite(dataDir: string): Promise<Database> {
  const [{ PGlite }, { drizzle: drizzlePglite }] = await Promise.all([import('@electric-sql/pglite'), import('drizzle-orm/pglite')]);
  const unlock = dataDir === 'memory' ? () => {} : lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir === 'memory' ? undefined : dataDir);
  } catch (err) {
    unlock();
    throw err;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  const session: BulkSession = {
    async exec(sql) {
      await client.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await client.query<T>(sql, params)).rows;
    },
    async copyIn(table, columns, data, format = 'text') {
      // PGlite's fastest bulk path: COPY reads a Blob handed over as the virtual file /dev/blob.
      await client.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' (FORMAT ${format})`, [], { blob: new Blob([data]) });
    },
  };
  return {
    db,
    engine: 'pglite',
    withSession: (fn) => fn(session),
    async close() {
      await client.close();
      unlock();
    },
  };
}

/**
 * PGlite is one process's private database: two processes on one data directory would corrupt it
 * (e.g. `retain import` while `retain start` runs). A lock file holding the owner's pid refuses the
 * second opener; a lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, 'retain.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(lock, 'utf8'));
      if (owner !== process.pid && isAlive(owner)) {
        throw new ConflictError(`the embedded database in ${dataDir} is in use by process ${owner}; stop it first or set DATABASE_URL`);
      }
      rmSync(lock, { force: true });
    }
  }
  throw new ConflictError(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, max: number, timeouts: DatabaseTimeouts | undefined): Promise<Database> {
  const failFast = timeouts && { connect_timeout: timeouts.connectMs / 1000, backoff: SERVICE_BACKOFF, connection: { statement_timeout: timeouts.statementMs } };
  const sql = postgres(url, { max, onnotice: () => {}, ...failFast });
  const db = drizzlePostgres({ client: sql, schema }) as unknown as Db;
  return {
    db,
    engine: 'postgres',
    async withSession(fn) {
      const reserved = await sql.reserve();
      try {
        return await fn({
          async exec(text) {
            await reserved.unsafe(text);
          },
          async query<T>(text: string, params: unknown[] = []) {
            return (await reserved.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
          },
          copyIn: (table, columns, data, format = 'text') => copyInPostgres(reserved, table, columns, data, format),
        });
      } finally {
        reserved.release();
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * COPY ... FROM STDIN on a reserved connection. postgres.js 3.4 loses an error the server reports
 * once the data is sent (a value the column refuses, a cancelled statement): it rejects the COPY's
 * query promise, which had already resolved to the stream, and the stream neither finishes nor
 * fails, so a caller waiting for it hung for ever. Here that late rejection is caught (the query's
 * `reject`, which the driver calls), and a probe statement sent after the data, answered only
 * after the COPY's outcome, says when to look at it.
 */
async function copyInPostgres(reserved: postgres.ReservedSql, table: string, columns: readonly string[], data: string | Uint8Array, format: CopyFormat): Promise<void> {
  const query = reserved.unsafe(`COPY ${table} (${columns.join(', ')}) FROM STDIN (FORMAT ${format})`);
  const stream = await query.writable();
  let failure: unknown;
  (query as unknown as { reject: (err: unknown) => void }).reject = (err) => (failure ??= err);
  stream.on('error', (err) => (failure ??= err));
  await new Promise<void>((resolve) => stream.write(data, () => resolve()));
  stream.end();
  await new Promise<void>((resolve) => setImmediate(resolve)); // the driver sends CopyDone from its final(), on a next tick
  const probe: unknown = await reserved.unsafe('SELECT 1').then(
    () => undefined,
    (err: unknown) => err,
  );
  if (failure) throw failure;
  if (probe) throw probe;
}

// A first bulk load into an empty table goes in without the table's indexes and builds them
// afterwards: PostgreSQL builds an index from sorted rows in a fraction of the time it takes to add
// the same rows one by one (bench/import/README.md has the numbers). The definitions are read
// from the catalog, so the rebuilt indexes are exactly the migrations' ones, names included.
import type { BulkSession } from '../db/client.ts';

/**
 * Whether `table` is empty; if so it stays locked (ACCESS EXCLUSIVE) until the transaction ends,
 * so no other writer adds rows and readers wait instead of seeing a table without indexes.
 */
export async function lockIfEmpty(session: BulkSession, table: string): Promise<boolean> {
  const empty = async () => (await session.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${table}) AS empty`))[0]!.empty;
  if (!(await empty())) return false;
  await session.exec(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return empty(); // a writer may have committed rows between the look and the lock
}

/**
 * Runs `load` with every index and unique or primary-key constraint of `table` dropped, then builds
 * them again. If a unique constraint finds repeated keys in what `load` stored, `removeRepeats`
 * (when given) deletes them and the constraint is built again; without it the build fails.
 */
export async function withIndexesRebuilt<T>(session: BulkSession, table: string, load: () => Promise<T>, options: RebuildOptions = {}): Promise<T> {
  const { removeRepeats, sortMemory } = options;
  const constraints = await session.query<{ name: string; definition: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype IN ('p', 'u') ORDER BY contype, conname`,
    [table],
  );
  const indexes = await session.query<{ name: string; definition: string }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY c.relname`,
    [table],
  );
  for (const c of constraints) await session.exec(`ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(c.name)}`);
  for (const i of indexes) await session.exec(`DROP INDEX ${quoteIdent(i.name)}`);
  const result = await load();
  if (sortMemory) await session.exec(`SET LOCAL maintenance_work_mem = '${sortMemory}'`);
  for (const c of constraints) {
    const add = `ALTER TABLE ${table} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`;
    if (!removeRepeats) {
      await session.exec(add);
      continue;
    }
    await session.exec('SAVEPOINT rebuild');
    try {
      await session.exec(add);
      await session.exec('RELEASE SAVEPOINT rebuild');
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNIQUE_VIOLATION) throw err;
      await session.exec('ROLLBACK TO SAVEPOINT rebuild');
      await removeRepeats();
      await session.exec(add);
    }
  }
  for (const i of indexes) await session.exec(i.definition);
  return result;
}

const UNIQUE_VIOLATION = '23505';

export interface RebuildOptions {
  removeRepeats?: () => Promise<void>;
  /**
   * maintenance_work_mem for the builds, until the transaction ends. PostgreSQL gives each parallel
   * worker of a build at least 32 MB of it: its default 64 MB allows one worker beside the leader.
   */
  sortMemory?: string;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// API key rows: created and revoked by `retain keys`, read by the service's key ring.
import { and, asc, eq, isNull, or } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { apiKeys, type ApiKey } from '../schema/index.ts';

export async function insertApiKey(db: Db, key: { name: string; prefix: string; keyHash: string; scopes: string[] }): Promise<ApiKey> {
  const [row] = await db.insert(apiKeys).values(key).returning();
  return row!;
}

export function listApiKeyRows(db: Db): Promise<ApiKey[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.id));
}

export function activeApiKeyRows(db: Db): Promise<Pick<ApiKey, 'name' | 'prefix' | 'keyHash' | 'scopes'>[]> {
  return db
    .select({ name: apiKeys.name, prefix: apiKeys.prefix, keyHash: apiKeys.keyHash, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(isNull(apiKeys.revokedAt));
}

/** Revokes active keys whose name or prefix equals `nameOrPrefix`; returns how many. */
export async function revokeApiKeyRows(db: Db, nameOrPrefix: string): Promise<number> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(isNull(apiKeys.revokedAt), or(eq(apiKeys.name, nameOrPrefix), eq(apiKeys.prefix, nameOrPrefix))))
    .returning({ id: apiKeys.id });
  return rows.length;
}

// API key administration for `retain keys`: create (the secret is returned once and never
// stored), list, revoke. Verification lives in the key ring.
import type { Db } from '../db/client.ts';
import { insertApiKey, listApiKeyRows, revokeApiKeyRows } from '../db/queries/api-keys.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { generateKey, SCOPES, type Scope } from './api-key-ring.ts';

export interface KeyInfo {
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

export function parseScopes(list: string): Scope[] {
  const scopes = [...new Set(list.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || bad.length > 0) {
    throw new ValidationError(`scopes must be a comma list of ${SCOPES.join(', ')}${bad.length ? ` (unknown: ${bad.join(', ')})` : ''}`, [{ path: 'scopes', message: 'invalid scope' }]);
  }
  return scopes as Scope[];
}

/** Creates a key; the returned token is the only copy of the secret. */
export async function createApiKey(db: Db, name: string, scopes: Scope[]): Promise<{ token: string; info: KeyInfo }> {
  if (!/^[\w.@-]{1,100}$/.test(name)) throw new ValidationError('key name: 1–100 letters, digits, . _ @ -', [{ path: 'name', message: 'invalid name' }]);
  const key = generateKey();
  const row = await insertApiKey(db, { name, prefix: key.prefix, keyHash: key.keyHash, scopes });
  return { token: key.token, info: { name: row.name, prefix: row.prefix, scopes: row.scopes, createdAt: row.createdAt, revokedAt: row.revokedAt } };
}

export async function listApiKeys(db: Db): Promise<KeyInfo[]> {
  return (await listApiKeyRows(db)).map((r) => ({ name: r.name, prefix: r.prefix, scopes: r.scopes, createdAt: r.createdAt, revokedAt: r.revokedAt }));
}

/** Revokes every active key with this name or prefix; servers stop accepting it within one poll. */
export async function revokeApiKey(db: Db, nameOrPrefix: string): Promise<number> {
  const n = await revokeApiKeyRows(db, nameOrPrefix);
  if (n === 0) throw new NotFoundError(`no active key named or prefixed '${nameOrPrefix}'`);
  return n;
}

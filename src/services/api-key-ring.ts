// API keys as the service sees them: only sha256 hashes are ever stored or held in memory; the
// plain key is shown once, by `retain keys create`. The ring is an in-memory copy of the active
// keys, reloaded on a short poll, so checking a key costs one hash and one map lookup and a key
// revoked on any replica stops working everywhere within one poll interval.
import { createHash, randomBytes } from 'node:crypto';

export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ActiveKey {
  name: string;
  prefix: string;
  keyHash: string;
  scopes: readonly Scope[];
}

export interface GeneratedKey {
  /** The secret to hand to the client, shown once: `rtn_<prefix>_<secret>`. */
  token: string;
  /** Public part, stored in clear so operators can tell keys apart in `retain keys list`. */
  prefix: string;
  keyHash: string;
}

export function hashKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateKey(): GeneratedKey {
  const prefix = randomBytes(4).toString('hex');
  const token = `rtn_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { token, prefix, keyHash: hashKey(token) };
}

/** `admin` includes `write` and `read`; `write` does not include `read` (an event feed needs no scores). */
export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes('admin');
}

export class ApiKeyRing {
  private byHash = new Map<string, ActiveKey>();

  constructor(private readonly load: () => Promise<ActiveKey[]>) {}

  /** True once at least one active key exists: from then on every /v1 request needs one. */
  get enforced(): boolean {
    return this.byHash.size > 0;
  }

  get size(): number {
    return this.byHash.size;
  }

  async refresh(): Promise<void> {
    const keys = await this.load();
    this.byHash = new Map(keys.map((k) => [k.keyHash, k]));
  }

  verify(token: string): ActiveKey | undefined {
    return this.byHash.get(hashKey(token));
  }

  /** The active key with this public prefix (dashboard sessions name their key by it). */
  byPrefix(prefix: string): ActiveKey | undefined {
    for (const k of this.byHash.values()) if (k.prefix === prefix) return k;
    return undefined;
  }
}

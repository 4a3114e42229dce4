// The one Env type for the app: what middleware puts into `c.var`.
import type { Scope } from '../services/api-key-ring.ts';

export interface AppEnv {
  Variables: {
    /** The authenticated key, or undefined when no key is configured (loopback-only mode). */
    apiKey: { name: string; scopes: readonly Scope[] } | undefined;
  };
}

// Bearer-key authentication and scope checks. With no active key the service is bound to
// 127.0.0.1 (enforced at start-up by the serve command), so requests pass unauthenticated.
import type { Context, MiddlewareHandler } from 'hono';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { grants, type ApiKeyRing, type Scope } from '../services/api-key-ring.ts';
import type { AppEnv } from './app-env.ts';

/**
 * `alwaysRequireKey` is set when the server listens beyond loopback: then revoking the last key
 * locks everyone out instead of opening the service.
 */
export function authenticate(ring: ApiKeyRing, alwaysRequireKey: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    setApiKey(c, ring, alwaysRequireKey);
    return next();
  };
}

/** Puts the request's key into `c.var.apiKey` (undefined without keys), or throws 401. */
export function setApiKey(c: Context<AppEnv>, ring: ApiKeyRing, alwaysRequireKey: boolean): void {
  if (!ring.enforced && !alwaysRequireKey) {
    c.set('apiKey', undefined);
    return;
  }
  const header = c.req.header('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new UnauthorizedError('missing API key: send Authorization: Bearer <key>');
  const key = ring.verify(match[1]!);
  if (!key) throw new UnauthorizedError('invalid or revoked API key');
  c.set('apiKey', { name: key.name, scopes: key.scopes });
}

/** Route middleware: the request's key must carry `scope` (admin carries all). */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    checkScope(c, scope);
    return next();
  };
}

/** Throws 403 unless the request's key carries `scope`. */
export function checkScope(c: Context<AppEnv>, scope: Scope): void {
  const key = c.get('apiKey');
  if (key && !grants(key.scopes, scope)) throw new ForbiddenError(`API key '${key.name}' lacks the '${scope}' scope`);
}

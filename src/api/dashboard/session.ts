// Dashboard sessions and CSRF tokens. A browser cannot send a bearer header from a link, so with
// keys configured the dashboard asks for a key once and keeps a session cookie instead:
//   retain_session = base64url({ p: key prefix, s: session id, e: expiry ms }) "." HMAC-SHA256
// signed with the key's stored sha256 hash. Any replica can check it (the key ring holds the
// hash), the key itself is never stored in the cookie, a revoked key ends its sessions within one
// replica poll, and logout adds the session id to a revocation list in the database (kept until
// the cookie would expire, checked on every signed-in request), so it ends the session on every
// replica at once.
// CSRF: every visitor gets a random retain_csrf cookie; state-changing forms must send the same
// value in a hidden field (double submit). Both cookies are HttpOnly and SameSite=Strict, and
// Secure when the request came over TLS.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ActiveKey, ApiKeyRing } from '../../services/api-key-ring.ts';
import type { DashboardLogouts } from '../../services/dashboard-sessions.ts';

export const SESSION_COOKIE = 'retain_session';
export const CSRF_COOKIE = 'retain_csrf';
export const CSRF_FIELD = '_csrf';
const PATH = '/dashboard';

export interface SessionOptions {
  /** Session lifetime (default 8 hours). */
  ttlMs: number;
  /** Clock, for tests. */
  now: () => number;
}

export const defaultSessionOptions: SessionOptions = { ttlMs: 8 * 3_600_000, now: Date.now };

interface Payload {
  p: string;
  s: string;
  e: number;
}

export class DashboardSessions {
  private readonly o: SessionOptions;

  constructor(
    private readonly ring: ApiKeyRing,
    private readonly logouts: DashboardLogouts,
    options: Partial<SessionOptions> = {},
  ) {
    this.o = { ...defaultSessionOptions, ...options } satisfies SessionOptions;
  }

  /** The key behind the request's session cookie, if the cookie is genuine, unexpired, not logged out and its key still active. */
  async keyOf(c: Context): Promise<ActiveKey | undefined> {
    const cookie = getCookie(c, SESSION_COOKIE);
    const payload = cookie ? this.read(cookie) : undefined;
    if (!payload || (await this.logouts.ended(payload.s))) return undefined;
    return this.ring.byPrefix(payload.p);
  }

  start(c: Context, key: ActiveKey): void {
    const payload: Payload = { p: key.prefix, s: randomBytes(16).toString('base64url'), e: this.o.now() + this.o.ttlMs };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    setCookie(c, SESSION_COOKIE, `${body}.${sign(key.keyHash, body)}`, { ...cookieFlags(c), maxAge: Math.floor(this.o.ttlMs / 1000) });
  }

  async end(c: Context): Promise<void> {
    const cookie = getCookie(c, SESSION_COOKIE);
    const payload = cookie ? this.read(cookie) : undefined;
    if (payload) await this.logouts.end(payload.s, new Date(payload.e));
    deleteCookie(c, SESSION_COOKIE, cookieFlags(c));
  }

  private read(cookie: string): Payload | undefined {
    const [body, mac, extra] = cookie.split('.');
    if (!body || !mac || extra !== undefined) return undefined;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
    } catch {
      return undefined;
    }
    if (typeof payload.p !== 'string' || typeof payload.s !== 'string' || typeof payload.e !== 'number') return undefined;
    const key = this.ring.byPrefix(payload.p);
    if (!key || !sameText(sign(key.keyHash, body), mac)) return undefined;
    if (payload.e <= this.o.now()) return undefined;
    return payload;
  }
}

/** The visitor's CSRF token, issuing the cookie on first sight. */
export function csrfToken(c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  setCookie(c, CSRF_COOKIE, token, cookieFlags(c));
  return token;
}

/** True when a submitted form's token matches the visitor's CSRF cookie. */
export function csrfValid(c: Context, submitted: unknown): boolean {
  const cookie = getCookie(c, CSRF_COOKIE);
  return typeof submitted === 'string' && cookie !== undefined && cookie.length > 0 && sameText(cookie, submitted);
}

function cookieFlags(c: Context): { path: string; httpOnly: true; sameSite: 'Strict'; secure: boolean } {
  return { path: PATH, httpOnly: true, sameSite: 'Strict', secure: new URL(c.req.url).protocol === 'https:' };
}

function sign(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

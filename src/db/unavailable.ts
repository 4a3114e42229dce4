// Which driver failures mean "the database is away" (refused, dropped, shut down, timed out) rather
// than a bug: the one place that knows the drivers' error shapes. Such a failure becomes a
// DatabaseUnavailableError, which clients see as 503 with Retry-After instead of 500.
import { DatabaseUnavailableError } from '../errors.ts';

/** postgres.js's own connection errors, and Node's socket errors on the way to the server. */
const CONNECTION_CODES = new Set([
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs the server sends when it cannot serve now: statement timeout (57014), shutting down or
 * starting up (57P01–57P03), too many connections (53300); class 08 (connection exception) below.
 */
const SERVER_CODES = new Set(['57014', '57P01', '57P02', '57P03', '53300']);

/** Drizzle wraps driver errors (DrizzleQueryError.cause), Node's dual-stack connect aggregates them. */
const MAX_CHAIN = 5;

function isUnavailable(err: unknown, depth: number): boolean {
  if (depth > MAX_CHAIN || typeof err !== 'object' || err === null) return false;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (Array.isArray(errors) && errors.some((e) => isUnavailable(e, depth + 1))) return true;
  return isUnavailable(cause, depth + 1);
}

/** The failure as a DatabaseUnavailableError when the database was away, else undefined. */
export function asDatabaseUnavailable(err: unknown): DatabaseUnavailableError | undefined {
  if (err instanceof DatabaseUnavailableError) return err;
  return isUnavailable(err, 0) ? new DatabaseUnavailableError() : undefined;
}

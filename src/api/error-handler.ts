// The one place where failures become HTTP responses: every error leaves as
// application/problem+json (RFC 9457) with a stable `code`, a message and the offending fields.
// Domain errors carry no status; this file is the only map from their codes to status codes.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { asDatabaseUnavailable } from '../services/database-errors.ts';
import { DomainError, type ErrorCode, type FieldIssue } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { findUnstorable } from './storable-input.ts';

export interface Problem {
  type: 'about:blank';
  title: string;
  status: number;
  code: ErrorCode;
  message: string;
  fields: FieldIssue[];
}

/** Every domain error code and its status: a code added to ErrorCode without one fails `tsc`. */
const STATUS_BY_CODE = {
  invalid_request: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  artifact_invalid: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  convergence_failed: 422,
  not_ready: 503,
  database_unavailable: 503,
  // raised outside requests: should one reach a response, it is the service's fault
  aborted: 500,
  no_api_keys: 500,
  seed_refused: 500,
  internal: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

type Status = (typeof STATUS_BY_CODE)[ErrorCode];

/**
 * Seconds a client should wait before retrying a 503: the replicas' poll interval, which is also
 * about how long a restarted database takes to be noticed again.
 */
const RETRY_AFTER_SECONDS = 2;

/** A title for every status the map above can give. */
const TITLES = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const satisfies Record<Status, string>;

/** The status a domain error code maps to. */
export function statusOfCode(code: ErrorCode): Status {
  return STATUS_BY_CODE[code];
}

export function problemResponse(c: Context, code: ErrorCode, message: string, fields: FieldIssue[] = []): Response {
  const status = statusOfCode(code);
  const body: Problem = { type: 'about:blank', title: TITLES[status], status, code, message, fields };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  return c.body(JSON.stringify(body), status, headers);
}

export function zodFields(error: ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Validation hook for every OpenAPI route (and the hot routes): a JSON body that parses but breaks
 * the schema is 422 (the request was understood, its content is wrong); bad path, query or header
 * values are 400. A valid part is then searched for text the database cannot store (NUL, lone
 * surrogates, runaway nesting): 400 naming the field, whatever the part, as for malformed JSON.
 */
export function validationHook(result: { success: boolean; target: string; data?: unknown; error?: ZodError }, c: Context): Response | undefined {
  if (result.success) {
    const bad = findUnstorable(result.data);
    if (!bad) return undefined;
    const path = bad.path ? `${result.target}.${bad.path}` : result.target;
    return problemResponse(c, 'invalid_request', `${path} ${bad.message}`, [{ path, message: bad.message }]);
  }
  if (!result.error) return undefined;
  const fields = zodFields(result.error).map((f) => ({ ...f, path: f.path ? `${result.target}.${f.path}` : result.target }));
  if (result.target === 'json') return problemResponse(c, 'validation_failed', 'request body is invalid', fields);
  return problemResponse(c, 'invalid_request', `invalid ${result.target === 'param' ? 'path' : result.target} parameters`, fields);
}

export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof DomainError) return problemResponse(c, err.code, err.message, err.fields);
    const unavailable = asDatabaseUnavailable(err);
    if (unavailable) {
      logger.warn({ method: c.req.method, path: c.req.path, cause: (err as Error).message }, 'database unavailable');
      return problemResponse(c, unavailable.code, unavailable.message);
    }
    if (err instanceof HTTPException) {
      // Hono's validator throws this for a body that is not JSON at all.
      if (err.status === 400) return problemResponse(c, 'malformed_json', err.message || 'malformed request body');
      if (err.status === 413) return problemResponse(c, 'payload_too_large', err.message);
      logger.warn({ err, path: c.req.path }, 'http exception');
      return problemResponse(c, err.status === 415 ? 'unsupported_media_type' : 'invalid_request', err.message);
    }
    // Never leak a stack or an internal message: log it, answer with a generic problem.
    logger.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return problemResponse(c, 'internal', 'internal server error');
  };
}

export const notFoundHandler: NotFoundHandler = (c) => problemResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`);

// Domain errors with a stable `code`; only src/api maps them to HTTP status codes.
// The codes are a closed union: src/api/error-handler.ts maps every one of them to a status
// (`satisfies Record<ErrorCode, ...>`), so a new code without a status fails the type check.

export type ErrorCode =
  // the request itself
  | 'invalid_request'
  | 'malformed_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'validation_failed'
  // who is asking
  | 'unauthorized'
  | 'forbidden'
  // the shop's data, the models, the service
  | 'not_found'
  | 'conflict'
  | 'artifact_invalid'
  | 'convergence_failed'
  | 'not_ready'
  | 'database_unavailable'
  // raised outside requests (the CLI prints them); the status map still names one for each
  | 'aborted'
  | 'no_api_keys'
  | 'seed_refused'
  // an unexpected failure, answered without details
  | 'internal';

export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldIssue[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, fields: FieldIssue[] = []) {
    super('validation_failed', message, fields);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'missing or invalid API key') {
    super('unauthorized', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** The database did not answer (refused, dropped, timed out): the request may be retried later. */
export class DatabaseUnavailableError extends DomainError {
  constructor(message = 'the database is unavailable; retry later') {
    super('database_unavailable', message);
  }
}

// What the API needs to know about database failures, without reaching into src/db: whether an
// error means "the database is away" (503, retry later) rather than a bug.
export { asDatabaseUnavailable } from '../db/unavailable.ts';

// The dashboard's shared rows: stored summaries (read at start, written after each recount or
// update) and the list of logged-out sessions.
import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { dashboardLogouts, dashboardSummaries } from '../schema/index.ts';

export interface StoredSummary<T> {
  version: string;
  body: T;
}

export async function readSummary<T>(db: Db, name: string): Promise<StoredSummary<T> | undefined> {
  const [row] = await db.select({ version: dashboardSummaries.version, body: dashboardSummaries.body }).from(dashboardSummaries).where(eq(dashboardSummaries.name, name));
  return row ? { version: row.version, body: row.body as T } : undefined;
}

export async function writeSummary(db: Db, name: string, version: string, body: unknown): Promise<void> {
  await db
    .insert(dashboardSummaries)
    .values({ name, version, body })
    .onConflictDoUpdate({ target: dashboardSummaries.name, set: { version, body, updatedAt: sql`now()` } });
}

/** Records a logged-out session until its cookie would have expired, and prunes the expired ones. */
export async function recordLogout(db: Db, sessionId: string, expiresAt: Date): Promise<void> {
  await db.insert(dashboardLogouts).values({ sessionId, expiresAt }).onConflictDoNothing();
  await db.delete(dashboardLogouts).where(lt(dashboardLogouts.expiresAt, sql`now()`));
}

export async function isLoggedOut(db: Db, sessionId: string): Promise<boolean> {
  const [row] = await db.select({ id: dashboardLogouts.sessionId }).from(dashboardLogouts).where(eq(dashboardLogouts.sessionId, sessionId));
  return row !== undefined;
}

// Logged-out dashboard sessions, kept in the database so that a logout holds on every replica at
// once: each signed-in request asks (one primary-key lookup), and a row lives until the cookie it
// names would have expired anyway.
import type { Db } from '../db/client.ts';
import { isLoggedOut, recordLogout } from '../db/queries/dashboard.ts';

export class DashboardLogouts {
  constructor(private readonly db: Db) {}

  end(sessionId: string, expiresAt: Date): Promise<void> {
    return recordLogout(this.db, sessionId, expiresAt);
  }

  ended(sessionId: string): Promise<boolean> {
    return isLoggedOut(this.db, sessionId);
  }
}

// The dashboard's shared state, so every replica sees the same: shop-level summaries counted once
// and updated as purchases arrive (a fresh process reads them instead of recounting), and the
// sessions ended by logging out (checked on each request, so a logout holds on every replica).
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const dashboardSummaries = pgTable('dashboard_summaries', {
  name: text('name').primaryKey(),
  /** What the summary counted (e.g. up to which purchase id); the reader decides whether it is current. */
  version: text('version').notNull(),
  body: jsonb('body').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const dashboardLogouts = pgTable(
  'dashboard_logouts',
  {
    /** The random id inside the session cookie. */
    sessionId: text('session_id').primaryKey(),
    /** The cookie's own expiry: after it the row is useless and pruned. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('dashboard_logouts_expires_idx').on(t.expiresAt)],
);

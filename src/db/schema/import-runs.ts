// One row per import: what file went in and what came of it, for operators and for `start`'s summary.
import { sql } from 'drizzle-orm';
import { bigint, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const importRuns = pgTable('import_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  /** 'purchases' | 'items' | 'customers'. */
  kind: text('kind').notNull(),
  file: text('file').notNull(),
  format: text('format').notNull(),
  /** Counts from the import summary (read, imported, rejected, ...). */
  counts: jsonb('counts').$type<Record<string, number>>().notNull().default(sql`'{}'::jsonb`),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }).notNull().defaultNow(),
});

export type ImportRun = typeof importRuns.$inferSelect;

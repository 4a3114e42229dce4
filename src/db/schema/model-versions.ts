// Which trained model versions exist and which one serves, per kind ('churn', 'recommend', ...).
// The artifacts themselves live on disk (src/artifacts); this is the registry the service reads.
import { sql } from 'drizzle-orm';
import { boolean, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const modelVersions = pgTable(
  'model_versions',
  {
    kind: text('kind').notNull(),
    version: text('version').notNull(),
    active: boolean('active').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Evaluation results recorded at training time (e.g. { ndcgAt10: 0.12 }). */
    metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.version] }),
    // At most one active version per kind.
    uniqueIndex('model_versions_active_kind_key').on(t.kind).where(sql`${t.active}`),
  ],
);

export type ModelVersion = typeof modelVersions.$inferSelect;
export type NewModelVersion = typeof modelVersions.$inferInsert;

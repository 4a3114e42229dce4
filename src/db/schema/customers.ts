// A shop's customers, keyed by the shop's own id. Erasure (GDPR) keeps the row as a tombstone so a
// later re-import cannot bring the person's purchases back.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const customers = pgTable(
  'customers',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** The shop's customer id (Online Retail: CustomerID). */
    externalId: text('external_id').notNull().unique(),
    email: text('email'),
    country: text('country'),
    /** Marketing consent withdrawn: win-back lists must leave the customer out. */
    unsubscribed: boolean('unsubscribed').notNull().default(false),
    /** Set when the customer's data was erased; their purchases are deleted and never re-imported. */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customers_erased_at_idx').on(t.erasedAt).where(sql`${t.erasedAt} is not null`)],
);

export type Customer = typeof customers.$inferSelect;
export type NewCustomer = typeof customers.$inferInsert;

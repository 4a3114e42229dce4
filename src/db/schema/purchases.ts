// Purchase history: one row per order line. (order_id, line_no) is the natural key, so a re-import
// never duplicates and identical lines inside one order stay separate rows.
// No foreign keys to customers/items: their per-row checks cost about 40% of a bulk load, and both
// writers (the import's joins, the events path) only ever use ids they just looked up or created.
// Erasure deletes a customer's purchases explicitly.
import { bigint, doublePrecision, index, integer, pgEnum, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';

export const purchaseKind = pgEnum('purchase_kind', ['purchase', 'cancellation']);
export const purchaseSource = pgEnum('purchase_source', ['import', 'api']);

export const purchases = pgTable(
  'purchases',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** customers.id (no foreign key: see the note above). */
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    /** items.id. */
    itemId: bigint('item_id', { mode: 'number' }).notNull(),
    orderId: text('order_id').notNull(),
    /** 1-based position of the line within its order. */
    lineNo: integer('line_no').notNull(),
    /** Cancellations/returns are kept for the record but are not purchases. */
    kind: purchaseKind('kind').notNull().default('purchase'),
    /** Units; negative on cancellations as the source wrote it. */
    quantity: integer('quantity').notNull(),
    /** Price per unit in the shop's currency. */
    unitPrice: doublePrecision('unit_price').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    source: purchaseSource('source').notNull().default('import'),
  },
  (t) => [
    unique('purchases_order_line_key').on(t.orderId, t.lineNo),
    index('purchases_customer_time_idx').on(t.customerId, t.occurredAt),
    // (occurred_at, id): time ranges, and a total order for keyset paging through history.
    index('purchases_time_idx').on(t.occurredAt, t.id),
    index('purchases_item_idx').on(t.itemId),
  ],
);

export type Purchase = typeof purchases.$inferSelect;
export type NewPurchase = typeof purchases.$inferInsert;

// Live events from the shop. Each batch runs in one transaction: customers and items are created
// on first sight, erased customers are refused, and event_id makes a retried batch harmless.
// Purchase events also become purchase rows (source 'api'), so the next training run sees them,
// and their buyers' scores are recomputed in the same transaction (onPurchases).
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { customers, events, items, purchases } from '../schema/index.ts';
import { lockScoresForWriting } from './customer-scores-live.ts';

export interface EventInput {
  eventId: string;
  type: 'view' | 'cart' | 'purchase' | 'click';
  customerId: string;
  itemId: string;
  quantity: number;
  price?: number | undefined;
  occurredAt: Date;
  /** Purchases only: the shop's order id and line; default `event:<eventId>`, line 1. */
  orderId?: string | undefined;
  lineNo?: number | undefined;
  /** Attribution: a campaign member's token, a served list's recommendation id. */
  campaignToken?: string | undefined;
  recommendationId?: string | undefined;
}

export type EventOutcome = 'accepted' | 'duplicate' | 'customer_erased';

/** Runs inside the batch's transaction after its purchase rows, with the customers.id of their buyers. */
export type PurchasesStored = (tx: Pick<Db, 'execute' | 'insert' | 'select'>, customerIds: number[]) => Promise<unknown>;

export async function insertEvents(db: Db, input: EventInput[], onPurchases?: PurchasesStored): Promise<EventOutcome[]> {
  if (input.length === 0) return [];
  return db.transaction(async (tx) => {
    const hasPurchases = input.some((e) => e.type === 'purchase');
    if (onPurchases && hasPurchases) await lockScoresForWriting(tx);
    // purchases before any customer row, as an import's first load locks them (src/import/purchase-import.ts):
    // a batch waiting for that load then holds no customer the load waits for
    if (hasPurchases) await tx.execute(sql`LOCK TABLE ${purchases} IN ROW EXCLUSIVE MODE`);
    const customerIds = [...new Set(input.map((e) => e.customerId))];
    const itemIds = [...new Set(input.map((e) => e.itemId))];
    await tx.insert(customers).values(customerIds.map((externalId) => ({ externalId }))).onConflictDoNothing();
    await tx.insert(items).values(itemIds.map((externalId) => ({ externalId }))).onConflictDoNothing();
    // FOR SHARE: an erasure in progress (it holds the row) is waited for and then seen; one that
    // comes later waits for this batch and then deletes what it stored
    const cRows = await tx
      .select({ id: customers.id, externalId: customers.externalId, erased: sql<boolean>`${customers.erasedAt} is not null` })
      .from(customers)
      .where(inArray(customers.externalId, customerIds))
      .for('share');
    const iRows = await tx.select({ id: items.id, externalId: items.externalId }).from(items).where(inArray(items.externalId, itemIds));
    const customerById = new Map(cRows.map((r) => [r.externalId, r]));
    const itemById = new Map(iRows.map((r) => [r.externalId, r.id]));

    const outcome: EventOutcome[] = input.map((e) => (customerById.get(e.customerId)!.erased ? 'customer_erased' : 'duplicate'));
    const keep = input.map((e, i) => ({ e, i })).filter(({ i }) => outcome[i] !== 'customer_erased');
    if (keep.length === 0) return outcome;
    const inserted = await tx
      .insert(events)
      .values(
        keep.map(({ e }) => ({
          eventId: e.eventId,
          customerId: customerById.get(e.customerId)!.id,
          itemId: itemById.get(e.itemId)!,
          type: e.type,
          quantity: e.quantity,
          price: e.price ?? null,
          occurredAt: e.occurredAt,
          orderId: e.type === 'purchase' ? orderOf(e) : null,
          campaignToken: e.campaignToken ?? null,
          recommendationId: e.recommendationId ?? null,
        })),
      )
      .onConflictDoNothing({ target: events.eventId })
      .returning({ eventId: events.eventId });
    const fresh = new Set(inserted.map((r) => r.eventId));
    for (const { e, i } of keep) if (fresh.has(e.eventId)) outcome[i] = 'accepted';

    const bought = keep.filter(({ e }) => e.type === 'purchase' && fresh.has(e.eventId));
    if (bought.length > 0) {
      await tx
        .insert(purchases)
        .values(
          bought.map(({ e }) => ({
            customerId: customerById.get(e.customerId)!.id,
            itemId: itemById.get(e.itemId)!,
            orderId: orderOf(e),
            lineNo: e.lineNo ?? 1,
            quantity: e.quantity,
            unitPrice: e.price ?? 0,
            occurredAt: e.occurredAt,
            source: 'api' as const,
          })),
        )
        .onConflictDoNothing();
      await onPurchases?.(tx, [...new Set(bought.map(({ e }) => customerById.get(e.customerId)!.id))]);
    }
    return outcome;
  });
}

/** The order a purchase event's row goes into. */
function orderOf(e: EventInput): string {
  return e.orderId ?? `event:${e.eventId}`;
}

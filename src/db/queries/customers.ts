// Customer rows for the service: lookups, consent, erasure and the change feed replicas poll.
import { eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { campaignMembers, contacts, customers, customerScores, events, purchases, servedRecommendations, type Customer, type CustomerScore } from '../schema/index.ts';

/**
 * The customer and its scores, by external id: `GET /v1/customers/{id}`, one prepared statement
 * built once per database (no query building per request).
 */
export async function customerWithScore(db: Db, externalId: string): Promise<{ customer: Customer; score: CustomerScore | null } | undefined> {
  let query = customerWithScoreQueries.get(db);
  if (!query) customerWithScoreQueries.set(db, (query = prepareCustomerWithScore(db)));
  const [row] = await query.execute({ externalId });
  return row;
}

function prepareCustomerWithScore(db: Db) {
  return db
    .select({ customer: customers, score: customerScores })
    .from(customers)
    .leftJoin(customerScores, eq(customerScores.customerId, customers.id))
    .where(eq(customers.externalId, sql.placeholder('externalId')))
    .prepare('customer_with_score');
}

const customerWithScoreQueries = new WeakMap<Db, ReturnType<typeof prepareCustomerWithScore>>();

/** Creates the customer if needed (consent may arrive before any order) and sets the flag. */
export async function upsertConsent(db: Db, externalId: string, unsubscribed: boolean, email?: string): Promise<Customer> {
  const set = email === undefined ? { unsubscribed, updatedAt: sql`now()` } : { unsubscribed, email, updatedAt: sql`now()` };
  const [row] = await db
    .insert(customers)
    .values({ externalId, unsubscribed, email })
    .onConflictDoUpdate({ target: customers.externalId, set })
    .returning();
  return row!;
}

export interface ErasureCounts {
  purchases: number;
  events: number;
  scores: number;
  campaignMemberships: number;
  contacts: number;
  servedLists: number;
}

/**
 * Deletes everything held about the customer and keeps only a tombstone (external id + erased_at),
 * which is what stops a later import from bringing the purchases back. One transaction: a reader
 * never sees a half-erased customer.
 *
 * It first locks customer_scores against writers (SHARE ROW EXCLUSIVE: readers go on, erasures
 * queue). Without it, an erasure during a re-scoring (replaceCustomerScores) could lose: its
 * DELETE waits on the old score row the re-scoring deleted, then finds nothing, while the new row
 * the re-scoring inserted (it could not yet see erased_at) survives the commit. With it, the
 * erasure waits for the re-scoring to commit and then deletes the new row, or the re-scoring waits
 * for the erasure and leaves the customer out. Event batches and imports lock the rows of the
 * customers they store for (FOR SHARE) for the same reason: the upsert below waits for them.
 * purchases is locked before the customer row, as an import's first load (which locks purchases
 * whole) does: the erasure cannot hold a row that load waits for while it waits for the load.
 * The served lists are locked SHARE: a list insert under way (its check against erased customers
 * already made) is waited for and then deleted, and one that starts meanwhile waits and then sees
 * the customer erased (insertServed); before this lock, such a list outlived the erasure.
 * test/db/queries/customers.test.ts reproduces each race on PostgreSQL. Campaign creation and
 * exports lock their customers' rows FOR SHARE too (src/db/queries/campaigns*.ts).
 */
export async function eraseCustomerRows(db: Db, externalId: string): Promise<ErasureCounts> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`LOCK TABLE ${customerScores} IN SHARE ROW EXCLUSIVE MODE`);
    await tx.execute(sql`LOCK TABLE ${purchases} IN ROW EXCLUSIVE MODE`);
    await tx.execute(sql`LOCK TABLE ${servedRecommendations} IN SHARE MODE`);
    const [row] = await tx
      .insert(customers)
      .values({ externalId, erasedAt: sql`now()`, unsubscribed: true })
      .onConflictDoUpdate({
        target: customers.externalId,
        set: { erasedAt: sql`now()`, unsubscribed: true, email: null, country: null, attributes: {}, updatedAt: sql`now()` },
      })
      .returning({ id: customers.id });
    const id = row!.id;
    const p = await tx.delete(purchases).where(eq(purchases.customerId, id)).returning({ id: purchases.id });
    const e = await tx.delete(events).where(eq(events.customerId, id)).returning({ id: events.id });
    const s = await tx.delete(customerScores).where(eq(customerScores.customerId, id)).returning({ id: customerScores.customerId });
    const m = await tx.delete(campaignMembers).where(eq(campaignMembers.customerId, id)).returning({ id: campaignMembers.customerId });
    const k = await tx.delete(contacts).where(eq(contacts.customerId, id)).returning({ id: contacts.customerId });
    const r = await tx.delete(servedRecommendations).where(eq(servedRecommendations.customerExternalId, externalId)).returning({ id: servedRecommendations.id });
    return { purchases: p.length, events: e.length, scores: s.length, campaignMemberships: m.length, contacts: k.length, servedLists: r.length };
  });
}

export interface CustomerChange {
  externalId: string;
  erased: boolean;
  unsubscribed: boolean;
}

/** Customers changed after `since` (consent, erasure), oldest first, for the replicas' poll. */
export function customersChangedSince(db: Db, since: Date): Promise<CustomerChange[]> {
  return db
    .select({
      externalId: customers.externalId,
      erased: sql<boolean>`${customers.erasedAt} is not null`,
      unsubscribed: customers.unsubscribed,
    })
    .from(customers)
    .where(gt(customers.updatedAt, since))
    .orderBy(customers.updatedAt);
}

/** External ids of every erased customer: the service hides them from recommendations at once. */
export async function erasedCustomerIds(db: Db): Promise<string[]> {
  const rows = await db.select({ externalId: customers.externalId }).from(customers).where(sql`${customers.erasedAt} is not null`);
  return rows.map((r) => r.externalId);
}

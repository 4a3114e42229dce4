// Purchases made after the active recommender's training window, per customer: they are folded
// into the customer's recommendations at once and excluded from them by default.
import type { FreshPurchase } from '../db/queries/purchases.ts';

export class FreshPurchases {
  private readonly byCustomer = new Map<string, Set<string>>();
  /** Highest purchase row id applied: the sync loop asks for rows after it. */
  lastId = 0;
  /** Bumped per customer on every change so cached fold-in results can tell they are stale. */
  private readonly generation = new Map<string, number>();

  constructor(readonly since: Date) {}

  items(customerId: string): ReadonlySet<string> | undefined {
    return this.byCustomer.get(customerId);
  }

  generationOf(customerId: string): number {
    return this.generation.get(customerId) ?? 0;
  }

  get customers(): number {
    return this.byCustomer.size;
  }

  add(customerId: string, itemId: string): void {
    let set = this.byCustomer.get(customerId);
    if (!set) this.byCustomer.set(customerId, (set = new Set()));
    if (set.has(itemId)) return;
    set.add(itemId);
    this.generation.set(customerId, this.generationOf(customerId) + 1);
  }

  /** Applies polled rows; customers in `skip` (erased) are passed over. */
  apply(rows: readonly FreshPurchase[], skip?: ReadonlySet<string>): void {
    for (const r of rows) {
      if (r.occurredAt >= this.since && !skip?.has(r.customerId)) this.add(r.customerId, r.itemId);
      if (r.id > this.lastId) this.lastId = r.id;
    }
  }

  forget(customerId: string): void {
    this.byCustomer.delete(customerId);
    this.generation.set(customerId, this.generationOf(customerId) + 1);
  }
}

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

  /** True when the item is new for the customer. */
  add(customerId: string, itemId: string): boolean {
    let set = this.byCustomer.get(customerId);
    if (!set) this.byCustomer.set(customerId, (set = new Set()));
    if (set.has(itemId)) return false;
    set.add(itemId);
    this.generation.set(customerId, this.generationOf(customerId) + 1);
    return true;
  }

  customerIds(): IterableIterator<string> {
    return this.byCustomer.keys();
  }

  /** Applies polled rows; customers in `skip` (erased) are passed over. Returns the customers that changed. */
  apply(rows: readonly FreshPurchase[], skip?: ReadonlySet<string>): Set<string> {
    const changed = new Set<string>();
    for (const r of rows) {
      if (r.occurredAt >= this.since && !skip?.has(r.customerId) && this.add(r.customerId, r.itemId)) changed.add(r.customerId);
      if (r.id > this.lastId) this.lastId = r.id;
    }
    return changed;
  }

  forget(customerId: string): void {
    this.byCustomer.delete(customerId);
    this.generation.set(customerId, this.generationOf(customerId) + 1);
  }
}

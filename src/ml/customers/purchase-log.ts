// A shop's purchase history as columns of typed arrays: one entry per order line. Every model
// trains from this shape, whether the lines came from the database or straight from a file.
// Cancelled lines ride along in their own columns, so a model that reads the purchase columns
// never mistakes a return for a purchase.

export interface PurchaseLog {
  /** External ids, indexed by the numbers in `customer` and `item`. */
  readonly customerIds: readonly string[];
  readonly itemIds: readonly string[];
  /** Number of distinct orders; `order` holds indices below it. */
  readonly orderCount: number;
  readonly customer: Int32Array;
  readonly item: Int32Array;
  readonly order: Int32Array;
  readonly quantity: Float64Array;
  readonly unitPrice: Float64Array;
  /** Milliseconds since the epoch, UTC. */
  readonly time: Float64Array;
  /** Cancelled lines of the customers above (absent when the source did not provide them). */
  readonly cancellations?: CancellationLines;
}

/** One entry per cancelled order line, for customers that also have purchase lines. */
export interface CancellationLines {
  /** Index into `customerIds` of the log. */
  readonly customer: Int32Array;
  /** Milliseconds since the epoch, UTC. */
  readonly time: Float64Array;
  /** |quantity| × unit price. */
  readonly value: Float64Array;
}

export const DAY_MS = 86_400_000;

/** Collects order lines one at a time, interning ids, and grows its arrays geometrically. */
export class PurchaseLogBuilder {
  private readonly customerIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  private readonly orderIndex = new Map<string, number>();
  private n = 0;
  private customer = new Int32Array(1024);
  private item = new Int32Array(1024);
  private order = new Int32Array(1024);
  private quantity = new Float64Array(1024);
  private unitPrice = new Float64Array(1024);
  private time = new Float64Array(1024);
  private readonly cancelled = { customerId: [] as string[], time: [] as number[], value: [] as number[] };

  get length(): number {
    return this.n;
  }

  add(customerId: string, itemId: string, orderId: string, quantity: number, unitPrice: number, timeMs: number): void {
    if (this.n === this.customer.length) this.grow();
    const i = this.n++;
    this.customer[i] = intern(this.customerIndex, customerId);
    this.item[i] = intern(this.itemIndex, itemId);
    this.order[i] = intern(this.orderIndex, orderId);
    this.quantity[i] = quantity;
    this.unitPrice[i] = unitPrice;
    this.time[i] = timeMs;
  }

  /** A cancelled line; kept only if the customer also has a purchase line when the log is built. */
  addCancellation(customerId: string, quantity: number, unitPrice: number, timeMs: number): void {
    this.cancelled.customerId.push(customerId);
    this.cancelled.time.push(timeMs);
    this.cancelled.value.push(Math.abs(quantity) * unitPrice);
  }

  build(): PurchaseLog {
    const n = this.n;
    const c = this.cancelled;
    const keep = c.customerId.flatMap((id, k) => (this.customerIndex.has(id) ? [k] : []));
    return {
      customerIds: [...this.customerIndex.keys()],
      itemIds: [...this.itemIndex.keys()],
      orderCount: this.orderIndex.size,
      customer: this.customer.slice(0, n),
      item: this.item.slice(0, n),
      order: this.order.slice(0, n),
      quantity: this.quantity.slice(0, n),
      unitPrice: this.unitPrice.slice(0, n),
      time: this.time.slice(0, n),
      cancellations: {
        customer: Int32Array.from(keep, (k) => this.customerIndex.get(c.customerId[k]!)!),
        time: Float64Array.from(keep, (k) => c.time[k]!),
        value: Float64Array.from(keep, (k) => c.value[k]!),
      },
    };
  }

  private grow(): void {
    const size = this.customer.length * 2;
    this.customer = resized(this.customer, new Int32Array(size));
    this.item = resized(this.item, new Int32Array(size));
    this.order = resized(this.order, new Int32Array(size));
    this.quantity = resized(this.quantity, new Float64Array(size));
    this.unitPrice = resized(this.unitPrice, new Float64Array(size));
    this.time = resized(this.time, new Float64Array(size));
  }
}

/**
 * The lines with `from <= time < to`. Id dictionaries and order numbering are shared with the input,
 * so indices stay comparable between slices of one log (a customer may have no line in a slice).
 */
export function sliceByTime(log: PurchaseLog, from: number, to: number): PurchaseLog {
  const keep: number[] = [];
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (t >= from && t < to) keep.push(i);
  }
  const pick = <T extends Int32Array | Float64Array>(a: T, rows = keep): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    for (let j = 0; j < rows.length; j++) out[j] = a[rows[j]!]!;
    return out;
  };
  const c = log.cancellations;
  const keepCancelled = c ? Array.from(c.time.keys()).filter((k) => c.time[k]! >= from && c.time[k]! < to) : [];
  return {
    customerIds: log.customerIds,
    itemIds: log.itemIds,
    orderCount: log.orderCount,
    customer: pick(log.customer),
    item: pick(log.item),
    order: pick(log.order),
    quantity: pick(log.quantity),
    unitPrice: pick(log.unitPrice),
    time: pick(log.time),
    ...(c ? { cancellations: { customer: pick(c.customer, keepCancelled), time: pick(c.time, keepCancelled), value: pick(c.value, keepCancelled) } } : {}),
  };
}

function intern(index: Map<string, number>, id: string): number {
  let k = index.get(id);
  if (k === undefined) {
    k = index.size;
    index.set(id, k);
  }
  return k;
}

function resized<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

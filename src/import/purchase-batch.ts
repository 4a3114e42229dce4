// Checked purchase lines waiting, column by column, for the database ids of their customers and
// items, then written as COPY text with those ids: the server stores them as they are, with no
// join against customers and items per line (bench/import/README.md has what that join cost).
import { CopyChunker, copyValue } from './copy-text.ts';
import type { LineKind, PurchaseLine } from './purchase-row.ts';

/** The columns each COPY row fills, in purchases itself (a first load) or in the staging table. */
export const BATCH_COLUMNS = ['customer_id', 'item_id', 'order_id', 'line_no', 'kind', 'quantity', 'unit_price', 'occurred_at'] as const;

/** Database ids by external id; null for a customer erased before this import. */
export type IdMap = Map<string, number | null>;

export interface EncodedBatch {
  text: Uint8Array;
  purchases: number;
  cancellations: number;
  /** Lines of erased customers: left out. */
  erased: number;
}

export class PurchaseBatch {
  private readonly customer: string[] = [];
  private readonly item: string[] = [];
  private readonly order: string[] = [];
  private readonly lineNo: number[] = [];
  private readonly kind: LineKind[] = [];
  private readonly quantity: number[] = [];
  private readonly unitPrice: number[] = [];
  private readonly occurredAt: number[] = [];
  private readonly copy = new CopyChunker(Number.POSITIVE_INFINITY);
  // Consecutive lines of an order share its timestamp: the last one written is reused.
  private lastTime = Number.NaN;
  private lastStamp = '';

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.customer.length;
  }

  get full(): boolean {
    return this.customer.length >= this.capacity;
  }

  add(line: PurchaseLine, lineNo: number): void {
    this.customer.push(line.customerId);
    this.item.push(line.itemId);
    this.order.push(line.orderId);
    this.lineNo.push(lineNo);
    this.kind.push(line.kind);
    this.quantity.push(line.quantity);
    this.unitPrice.push(line.unitPrice);
    this.occurredAt.push(line.occurredAt);
  }

  /** The batch's customer and item ids not yet in `customers` / `items`, each once. */
  unknownIds(customers: IdMap, items: IdMap): { customers: string[]; items: string[] } {
    return { customers: missing(this.customer, customers), items: missing(this.item, items) };
  }

  /** Every line as COPY text (every id must be known by now), in file order, and an empty batch. */
  take(customers: IdMap, items: IdMap): EncodedBatch {
    const out: EncodedBatch = { text: new Uint8Array(), purchases: 0, cancellations: 0, erased: 0 };
    for (let k = 0; k < this.customer.length; k++) {
      const customerId = customers.get(this.customer[k]!);
      if (customerId === null) {
        out.erased++;
        continue;
      }
      const kind = this.kind[k]!;
      if (kind === 'purchase') out.purchases++;
      else out.cancellations++;
      const time = this.occurredAt[k]!;
      if (time !== this.lastTime) {
        this.lastTime = time;
        this.lastStamp = new Date(time).toISOString();
      }
      this.copy.addLine(
        `${customerId}\t${items.get(this.item[k]!)}\t${copyValue(this.order[k])}\t${this.lineNo[k]}\t${kind}\t${this.quantity[k]}\t${this.unitPrice[k]}\t${this.lastStamp}\n`,
      );
    }
    out.text = this.copy.take();
    for (const column of [this.customer, this.item, this.order, this.lineNo, this.kind, this.quantity, this.unitPrice, this.occurredAt]) column.length = 0;
    return out;
  }
}

function missing(values: readonly string[], known: IdMap): string[] {
  const out = new Set<string>();
  for (const v of values) if (!known.has(v)) out.add(v);
  return [...out];
}

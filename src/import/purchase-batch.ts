// Checked purchase lines written as COPY binary rows with the database ids of their customers and
// items: the server stores them as they are, with no join against customers and items per line
// (bench/import/README.md has what that join cost). A line whose customer and item ids are known
// when it is added (most of them, once the first batches have created the file's customers and
// items) is written at once, while the previous batch is still at the server; the others wait,
// column by column, for the batch's lookups. Every row carries its own id, given in file order by
// the caller, so the rows' order inside a COPY does not matter.
import { BinaryCopyWriter } from './copy-binary.ts';
import type { LineKind, PurchaseLine } from './purchase-row.ts';

/** The columns each COPY row fills, in purchases itself (a first load) or in the staging table. */
export const BATCH_COLUMNS = ['id', 'customer_id', 'item_id', 'order_id', 'line_no', 'kind', 'quantity', 'unit_price', 'occurred_at'] as const;

/** Database ids by external id; null for a customer erased before this import. */
export type IdMap = Map<string, number | null>;

export interface EncodedBatch {
  /** COPY binary data; undefined when no line is stored. */
  data: Uint8Array | undefined;
  purchases: number;
  cancellations: number;
  /** Lines of erased customers: left out. */
  erased: number;
}

export class PurchaseBatch {
  private added = 0;
  private readonly rows = new BinaryCopyWriter();
  private counts = { purchases: 0, cancellations: 0, erased: 0 };
  // the lines waiting for an id, column by column
  private readonly id: number[] = [];
  private readonly customer: string[] = [];
  private readonly item: string[] = [];
  private readonly order: string[] = [];
  private readonly lineNo: number[] = [];
  private readonly kind: LineKind[] = [];
  private readonly quantity: number[] = [];
  private readonly unitPrice: number[] = [];
  private readonly occurredAt: number[] = [];

  constructor(
    readonly capacity: number,
    private readonly customers: IdMap,
    private readonly items: IdMap,
  ) {}

  get full(): boolean {
    return this.added >= this.capacity;
  }

  /** One checked line; `id` is its row id (purchases.id on a first load, else its place in the file). */
  add(line: PurchaseLine, lineNo: number, id: number): void {
    this.added++;
    const customerId = this.customers.get(line.customerId);
    const itemId = this.items.get(line.itemId);
    if (customerId !== undefined && itemId !== undefined) {
      this.write(id, customerId, itemId, line.orderId, lineNo, line.kind, line.quantity, line.unitPrice, line.occurredAt);
      return;
    }
    this.id.push(id);
    this.customer.push(line.customerId);
    this.item.push(line.itemId);
    this.order.push(line.orderId);
    this.lineNo.push(lineNo);
    this.kind.push(line.kind);
    this.quantity.push(line.quantity);
    this.unitPrice.push(line.unitPrice);
    this.occurredAt.push(line.occurredAt);
  }

  /** The waiting lines' customer and item ids not yet in the maps, each once. */
  unknownIds(): { customers: string[]; items: string[] } {
    return { customers: missing(this.customer, this.customers), items: missing(this.item, this.items) };
  }

  /** Every line as COPY rows (every id must be known by now), and an empty batch. */
  take(): EncodedBatch {
    for (let k = 0; k < this.id.length; k++) {
      const customerId = this.customers.get(this.customer[k]!);
      const itemId = this.items.get(this.item[k]!);
      if (customerId === undefined || itemId === undefined) throw new Error(`no id for customer ${this.customer[k]} or item ${this.item[k]}`);
      this.write(this.id[k]!, customerId, itemId, this.order[k]!, this.lineNo[k]!, this.kind[k]!, this.quantity[k]!, this.unitPrice[k]!, this.occurredAt[k]!);
    }
    const out: EncodedBatch = { data: this.rows.take(), ...this.counts };
    for (const column of [this.id, this.customer, this.item, this.order, this.lineNo, this.kind, this.quantity, this.unitPrice, this.occurredAt]) column.length = 0;
    this.counts = { purchases: 0, cancellations: 0, erased: 0 };
    this.added = 0;
    return out;
  }

  private write(id: number, customerId: number | null, itemId: number | null, orderId: string, lineNo: number, kind: LineKind, quantity: number, unitPrice: number, occurredAt: number): void {
    if (customerId === null) {
      this.counts.erased++;
      return;
    }
    if (kind === 'purchase') this.counts.purchases++;
    else this.counts.cancellations++;
    const rows = this.rows;
    rows.row(BATCH_COLUMNS.length);
    rows.int8(id);
    rows.int8(customerId);
    rows.int8(itemId!);
    rows.text(orderId);
    rows.int4(lineNo);
    rows.text(kind);
    rows.int4(quantity);
    rows.float8(unitPrice);
    rows.timestamp(occurredAt);
  }
}

function missing(values: readonly string[], known: IdMap): string[] {
  const out = new Set<string>();
  for (const v of values) if (!known.has(v)) out.add(v);
  return [...out];
}

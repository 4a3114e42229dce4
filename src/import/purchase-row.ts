// One purchase-history CSV record -> a validated order line. The canonical layout and the UCI
// Online Retail layout map onto the same columns; zod checks every value.
import { z } from 'zod';
import { ValidationError } from '../errors.ts';

export const PURCHASE_COLUMNS = ['customer_id', 'order_id', 'item_id', 'quantity', 'unit_price', 'occurred_at'] as const;
export type PurchaseColumn = (typeof PURCHASE_COLUMNS)[number];

export type PurchaseFormat = 'canonical' | 'online-retail';

interface FormatSpec {
  /** Header name in the file for each canonical column. */
  columns: Record<PurchaseColumn, string>;
  /** Whether an order id marks a cancellation (Online Retail: invoices starting with C). */
  isCancellation(orderId: string, quantity: number): boolean;
}

const FORMATS: Record<PurchaseFormat, FormatSpec> = {
  canonical: {
    columns: { customer_id: 'customer_id', order_id: 'order_id', item_id: 'item_id', quantity: 'quantity', unit_price: 'unit_price', occurred_at: 'occurred_at' },
    isCancellation: (_orderId, quantity) => quantity < 0,
  },
  'online-retail': {
    columns: { customer_id: 'CustomerID', order_id: 'InvoiceNo', item_id: 'StockCode', quantity: 'Quantity', unit_price: 'UnitPrice', occurred_at: 'InvoiceDate' },
    isCancellation: (orderId, quantity) => orderId.startsWith('C') || quantity < 0,
  },
};

export interface PurchaseLayout {
  format: PurchaseFormat;
  /** Field position of each canonical column in a record. */
  index: Record<PurchaseColumn, number>;
}

/** Finds the format's columns in a header row; fails at once, naming what is missing. */
export function purchaseLayout(format: PurchaseFormat, header: string[]): PurchaseLayout {
  const spec = FORMATS[format];
  const trimmed = header.map((h) => h.trim().replace(/^\uFEFF/, ''));
  const missing = PURCHASE_COLUMNS.filter((c) => !trimmed.includes(spec.columns[c]));
  if (missing.length > 0) {
    const names = missing.map((c) => spec.columns[c]).join(', ');
    const hint = format === 'canonical' && trimmed.includes('InvoiceNo') ? ' (this looks like Online Retail: use --format online-retail)' : '';
    throw new ValidationError(`not a ${format} purchase file: missing column(s) ${names}${hint}`);
  }
  const index = Object.fromEntries(PURCHASE_COLUMNS.map((c) => [c, trimmed.indexOf(spec.columns[c])])) as Record<PurchaseColumn, number>;
  return { format, index };
}

export type LineKind = 'purchase' | 'cancellation';

export interface PurchaseLine {
  kind: LineKind;
  customerId: string;
  orderId: string;
  itemId: string;
  /** Positive for purchases; cancellations keep the file's (negative) sign. */
  quantity: number;
  unitPrice: number;
  /** Milliseconds since the epoch, UTC. */
  occurredAt: number;
}

const id = (name: string) => z.string().trim().min(1, `${name} is missing`).max(200, `${name} is longer than 200 characters`);
const number = (name: string) =>
  z
    .string()
    .trim()
    .min(1, `${name} is missing`)
    .transform((s) => Number(s))
    .refine((n) => Number.isFinite(n), `${name} is not a number`);

const Record_ = z.object({
  customer_id: id('customer_id'),
  order_id: id('order_id'),
  item_id: id('item_id'),
  quantity: number('quantity').refine((n) => Number.isInteger(n) && n !== 0, 'quantity must be a non-zero integer'),
  unit_price: number('unit_price').refine((n) => n > 0, 'unit_price must be > 0'),
  occurred_at: z
    .string()
    .trim()
    .transform(parseTimestamp)
    .refine((t) => Number.isFinite(t), 'occurred_at is not a date (expected YYYY-MM-DD[ HH:MM[:SS]] or ISO 8601)'),
});

export type LineResult = { ok: true; line: PurchaseLine } | { ok: false; reason: string };

/** Validates one record laid out as `layout` says; a bad record gives every reason, joined. */
export function parsePurchaseRecord(layout: PurchaseLayout, fields: string[]): LineResult {
  const raw: Record<string, string> = {};
  for (const c of PURCHASE_COLUMNS) raw[c] = fields[layout.index[c]] ?? '';
  const parsed = Record_.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => i.message).join('; ') };
  const r = parsed.data;
  const kind: LineKind = FORMATS[layout.format].isCancellation(r.order_id, r.quantity) ? 'cancellation' : 'purchase';
  if (kind === 'purchase' && r.quantity < 0) return { ok: false, reason: 'quantity must be > 0' };
  return {
    ok: true,
    line: { kind, customerId: r.customer_id, orderId: r.order_id, itemId: r.item_id, quantity: r.quantity, unitPrice: r.unit_price, occurredAt: r.occurred_at },
  };
}

const NAIVE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/** Naive wall-clock timestamps are read as UTC (no summer-time shift); explicit offsets are honoured. */
export function parseTimestamp(s: string): number {
  if (NAIVE.test(s)) return Date.parse(s.length === 10 ? `${s}T00:00:00Z` : `${s.replace(' ', 'T')}Z`);
  if (/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(s)) return Date.parse(s);
  return Number.NaN;
}

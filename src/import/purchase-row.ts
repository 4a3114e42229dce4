// One purchase-history CSV record -> a validated order line. The canonical layout and the UCI
// Online Retail layout map onto the same columns; every value is checked.
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

// Checked by hand rather than with a zod schema: zod's safeParse took 2.5 of the importer's 3.3
// CPU s on Online Retail's 541,909 records (bench/import/README.md), more than a plain COPY of the
// file takes in all. The reasons are zod's as they were: every failed check of every field,
// joined in column order.
const OCCURRED_AT_REASON = 'occurred_at is not a date (expected YYYY-MM-DD[ HH:MM[:SS]] or ISO 8601)';

/** A trimmed id, or undefined after pushing why it is not one. */
function checkId(name: string, raw: string, reasons: string[]): string | undefined {
  const s = raw.trim();
  if (s.length === 0) reasons.push(`${name} is missing`);
  else if (s.length > 200) reasons.push(`${name} is longer than 200 characters`);
  // COPY cannot carry a NUL character: refused here with its reason instead of failing the import.
  else if (s.includes('\u0000')) reasons.push(`${name} contains a NUL character`);
  else return s;
  return undefined;
}

/** A finite number, or NaN after pushing every reason it fails, including `valid`'s. */
function checkNumber(name: string, raw: string, valid: (n: number) => boolean, invalid: string, reasons: string[]): number {
  const s = raw.trim();
  if (s.length === 0) {
    reasons.push(`${name} is missing`);
    return Number.NaN;
  }
  const n = Number(s);
  const finite = Number.isFinite(n);
  if (!finite) reasons.push(`${name} is not a number`);
  if (!valid(n)) reasons.push(invalid);
  return finite && valid(n) ? n : Number.NaN;
}

export type LineResult = { ok: true; line: PurchaseLine } | { ok: false; reason: string };

/** Validates one record laid out as `layout` says; a bad record gives every reason, joined. */
export function parsePurchaseRecord(layout: PurchaseLayout, fields: string[]): LineResult {
  const { index } = layout;
  const reasons: string[] = [];
  const customerId = checkId('customer_id', fields[index.customer_id] ?? '', reasons);
  const orderId = checkId('order_id', fields[index.order_id] ?? '', reasons);
  const itemId = checkId('item_id', fields[index.item_id] ?? '', reasons);
  let quantity = checkNumber('quantity', fields[index.quantity] ?? '', (n) => Number.isInteger(n) && n !== 0, 'quantity must be a non-zero integer', reasons);
  // the column is a 32-bit integer: refused here with its reason, where the server's refusal failed the whole import
  if (quantity < -(2 ** 31) || quantity >= 2 ** 31) {
    reasons.push('quantity must be between -2147483648 and 2147483647');
    quantity = Number.NaN;
  }
  const unitPrice = checkNumber('unit_price', fields[index.unit_price] ?? '', (n) => n > 0, 'unit_price must be > 0', reasons);
  const occurredAt = parseStamp((fields[index.occurred_at] ?? '').trim());
  if (!Number.isFinite(occurredAt)) reasons.push(OCCURRED_AT_REASON);
  if (reasons.length > 0) return { ok: false, reason: reasons.join('; ') };
  const kind: LineKind = FORMATS[layout.format].isCancellation(orderId!, quantity) ? 'cancellation' : 'purchase';
  if (kind === 'purchase' && quantity < 0) return { ok: false, reason: 'quantity must be > 0' };
  return { ok: true, line: { kind, customerId: customerId!, orderId: orderId!, itemId: itemId!, quantity, unitPrice, occurredAt } };
}

// Consecutive lines of an order share its timestamp: the last one parsed is kept (a tenth of the
// importer's CPU went to parsing the same timestamp again).
let lastStamp = '';
let lastTime = Number.NaN;
function parseStamp(s: string): number {
  if (s !== lastStamp) {
    lastTime = parseTimestamp(s);
    lastStamp = s;
  }
  return lastTime;
}

const NAIVE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/** Naive wall-clock timestamps are read as UTC (no summer-time shift); explicit offsets are honoured. */
export function parseTimestamp(s: string): number {
  if (NAIVE.test(s)) return Date.parse(s.length === 10 ? `${s}T00:00:00Z` : `${s.replace(' ', 'T')}Z`);
  if (/^\d{4}-\d{2}-\d{2}T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(s)) return Date.parse(s);
  return Number.NaN;
}

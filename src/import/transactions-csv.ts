// A plain transaction list (customer_id, date[, value]) as a PurchaseLog: each row is one order of
// one placeholder item worth `value` (0 without a value column), so it summarises like order lines.
import { ValidationError } from '../errors.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../ml/customers/purchase-log.ts';
import { openInput, readCsv } from './csv.ts';
import { parseTimestamp } from './purchase-row.ts';

const COLUMN_NAMES = {
  customer: ['customer_id', 'customer', 'id'],
  date: ['date', 'occurred_at', 'timestamp', 'time'],
  value: ['value', 'amount', 'revenue', 'monetary_value'],
} as const;

export interface TransactionsTable {
  log: PurchaseLog;
  hasValues: boolean;
}

export async function readTransactionsCsv(path: string): Promise<TransactionsTable> {
  const builder = new PurchaseLogBuilder();
  let index: { customer: number; date: number; value: number } | undefined;
  for await (const record of readCsv(openInput(path))) {
    if (!index) {
      const header = record.fields.map((h) => h.trim().replace(/^\uFEFF/, '').toLowerCase());
      const find = (names: readonly string[]): number => header.findIndex((h) => names.includes(h));
      index = { customer: find(COLUMN_NAMES.customer), date: find(COLUMN_NAMES.date), value: find(COLUMN_NAMES.value) };
      if (index.customer < 0 || index.date < 0) {
        throw new ValidationError(`${path}: expected columns customer_id,date[,value], got ${header.join(',')}`);
      }
      continue;
    }
    const customer = record.fields[index.customer]?.trim() ?? '';
    if (customer === '') throw new ValidationError(`${path} line ${record.line}: customer_id is missing`);
    const rawDate = record.fields[index.date]?.trim() ?? '';
    const time = parseTimestamp(rawDate);
    if (!Number.isFinite(time)) {
      throw new ValidationError(`${path} line ${record.line}: date '${rawDate}' is not YYYY-MM-DD[ HH:MM[:SS]] or ISO 8601`);
    }
    let value = 0;
    if (index.value >= 0) {
      const raw = record.fields[index.value]?.trim() ?? '';
      value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new ValidationError(`${path} line ${record.line}: value '${raw}' must be a number ≥ 0`);
    }
    builder.add(customer, '', `#${record.line}`, 1, value, time);
  }
  if (!index) throw new ValidationError(`${path} is empty: expected a CSV header`);
  return { log: builder.build(), hasValues: index.value >= 0 };
}

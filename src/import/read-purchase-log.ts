// A purchase file read straight into a PurchaseLog (no database): for training and evaluation
// scripts that work on files, and for tests. Only valid lines enter the log; cancellations go to
// its cancellation columns.
import { PurchaseLogBuilder, type PurchaseLog } from '../ml/customers/purchase-log.ts';
import { ValidationError } from '../errors.ts';
import { openInput, readCsv } from './csv.ts';
import { parsePurchaseRecord, purchaseLayout, type PurchaseFormat } from './purchase-row.ts';

export interface ReadPurchaseLogResult {
  log: PurchaseLog;
  cancellations: number;
  rejected: number;
}

export async function readPurchaseLog(path: string, format: PurchaseFormat = 'canonical'): Promise<ReadPurchaseLogResult> {
  const builder = new PurchaseLogBuilder();
  let layout: ReturnType<typeof purchaseLayout> | undefined;
  let cancellations = 0;
  let rejected = 0;
  for await (const record of readCsv(openInput(path))) {
    if (!layout) {
      layout = purchaseLayout(format, record.fields);
      continue;
    }
    const result = parsePurchaseRecord(layout, record.fields);
    if (!result.ok) rejected++;
    else {
      const l = result.line;
      if (l.kind === 'cancellation') {
        cancellations++;
        builder.addCancellation(l.customerId, l.quantity, l.unitPrice, l.occurredAt);
      } else builder.add(l.customerId, l.itemId, l.orderId, l.quantity, l.unitPrice, l.occurredAt);
    }
  }
  if (!layout) throw new ValidationError(`${path} is empty: expected a CSV header`);
  return { log: builder.build(), cancellations, rejected };
}

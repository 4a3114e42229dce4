// The purchase history as a PurchaseLog for training: the purchase lines of customers that are
// not erased, in time order, with their cancelled lines in the log's cancellation columns, read
// through a server-side cursor so millions of rows stream in chunks straight into typed arrays.
import { sql } from 'drizzle-orm';
import { PurchaseLogBuilder, type PurchaseLog } from '../../ml/customers/purchase-log.ts';
import { queryRows, type Db } from '../client.ts';

export interface LoadPurchaseLogOptions {
  /** Only lines that occurred strictly before this instant. */
  before?: Date;
  /** Rows per FETCH. */
  chunkRows?: number;
}

interface Row extends Record<string, unknown> {
  c: string;
  i: string;
  o: string;
  q: number;
  u: number;
  t: number;
  k: 'purchase' | 'cancellation';
}

export async function loadPurchaseLog(db: Db, options: LoadPurchaseLogOptions = {}): Promise<PurchaseLog> {
  const { before, chunkRows = 100_000 } = options;
  const builder = new PurchaseLogBuilder();
  await db.transaction(async (tx) => {
    await tx.execute(sql`DECLARE purchase_log NO SCROLL CURSOR FOR
      SELECT c.external_id AS c, i.external_id AS i, p.order_id AS o, p.quantity AS q, p.unit_price AS u,
             (extract(epoch FROM p.occurred_at) * 1000)::float8 AS t, p.kind AS k
      FROM purchases p
      JOIN customers c ON c.id = p.customer_id
      JOIN items i ON i.id = p.item_id
      WHERE c.erased_at IS NULL ${before ? sql`AND p.occurred_at < ${before.toISOString()}` : sql``}
      ORDER BY p.occurred_at, p.id`);
    for (;;) {
      const rows = await queryRows<Row>(tx, sql.raw(`FETCH ${chunkRows} FROM purchase_log`));
      for (const r of rows) {
        if (r.k === 'cancellation') builder.addCancellation(r.c, r.q, r.u, r.t);
        else builder.add(r.c, r.i, r.o, r.q, r.u, r.t);
      }
      if (rows.length < chunkRows) break;
    }
    await tx.execute(sql`CLOSE purchase_log`);
  });
  return builder.build();
}

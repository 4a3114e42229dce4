// Where a training job reads purchase history from: the database, a purchase file, or a log
// already in memory; and the catalog categories that travel with database purchases.
import type { Database } from '../db/client.ts';
import { allCatalogRows } from '../db/queries/items.ts';
import { loadPurchaseLog } from '../db/queries/purchase-log.ts';
import { readPurchaseLog } from '../import/read-purchase-log.ts';
import type { PurchaseFormat } from '../import/purchase-row.ts';
import type { PurchaseLog } from '../ml/customers/purchase-log.ts';

export type PurchaseSource =
  /** The purchases stored in the database (erased customers left out). */
  | { database: Database }
  /** Purchase lines in a CSV or CSV.gz file. */
  | { file: string; format: PurchaseFormat }
  /** A log the caller has already loaded. */
  | { log: PurchaseLog };

export async function readPurchases(source: PurchaseSource): Promise<PurchaseLog> {
  if ('log' in source) return source.log;
  if ('file' in source) return (await readPurchaseLog(source.file, source.format)).log;
  return loadPurchaseLog(source.database.db);
}

/** Category per external item id, for the items that have one. */
export async function itemCategories(database: Database): Promise<Map<string, string>> {
  return new Map((await allCatalogRows(database.db)).filter((r) => r.category).map((r) => [r.externalId, r.category!]));
}

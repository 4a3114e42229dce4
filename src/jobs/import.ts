// The import job: one purchase, item or customer file (CSV or CSV.gz) into the database, streamed
// and validated by src/import, in one transaction.
import type { Database } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { importCustomers, importItems, type CatalogImportSummary, type CustomerFormat, type ItemFormat } from '../import/catalog-import.ts';
import { importPurchases, type PurchaseImportSummary } from '../import/purchase-import.ts';
import type { PurchaseFormat } from '../import/purchase-row.ts';

/** The file formats each kind of import reads; the first is the default. */
export const IMPORT_FORMATS = {
  purchases: ['canonical', 'online-retail'],
  items: ['canonical', 'online-retail-descriptions'],
  customers: ['canonical', 'online-retail-countries'],
} as const satisfies { purchases: readonly PurchaseFormat[]; items: readonly ItemFormat[]; customers: readonly CustomerFormat[] };

export type ImportKind = keyof typeof IMPORT_FORMATS;

export type ImportOptions = { file: string; rejectsPath?: string; signal?: AbortSignal; /** The importers draw their own bars on stderr (src/import). */ progressBars?: boolean } & (
  | { kind: 'purchases'; format: PurchaseFormat }
  | { kind: 'items'; format: ItemFormat }
  | { kind: 'customers'; format: CustomerFormat }
);

export type ImportResult = { kind: 'purchases'; summary: PurchaseImportSummary } | { kind: 'items' | 'customers'; summary: CatalogImportSummary };

export async function importFile(database: Database, options: ImportOptions): Promise<ImportResult> {
  if (options.signal?.aborted) throw new DomainError('aborted', 'import interrupted: nothing was changed');
  const common = { ...(options.rejectsPath === undefined ? {} : { rejectsPath: options.rejectsPath }), progress: options.progressBars ?? false };
  switch (options.kind) {
    case 'purchases':
      return { kind: 'purchases', summary: await importPurchases(database, options.file, { ...common, format: options.format, ...(options.signal ? { signal: options.signal } : {}) }) };
    case 'items':
      return { kind: 'items', summary: await importItems(database, options.file, options.format, common) };
    case 'customers':
      return { kind: 'customers', summary: await importCustomers(database, options.file, options.format, common) };
  }
}

// Part of the first run: the embedded database is filled with the bundled Online Retail sample
// (catalog, customer countries, purchase history) when it holds no purchases yet.
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { importCustomers, importItems, type CatalogImportSummary } from '../import/catalog-import.ts';
import { importPurchases, type PurchaseImportSummary } from '../import/purchase-import.ts';

export interface SeedResult {
  seeded: boolean;
  items?: CatalogImportSummary;
  customers?: CatalogImportSummary;
  purchases?: PurchaseImportSummary;
}

export interface SeedOptions {
  /** The directory holding SAMPLE_FILES (SAMPLE_DATA_DIR). */
  sampleDataDir: string;
  /** The importers draw their own bars on stderr (src/import); true under the CLI. */
  progressBars?: boolean;
}

/** The bundled sample's files, inside SAMPLE_DATA_DIR. */
export const SAMPLE_FILES = {
  items: 'stockcode_descriptions.csv.gz',
  customers: 'customer_countries.csv',
  purchases: 'online_retail_lines.csv.gz',
} as const;

/**
 * Imports the sample if the purchases table is empty. Refuses a PostgreSQL database: a database
 * given through DATABASE_URL is the shop's own and must never receive sample data.
 */
export async function seedSampleIfEmpty(database: Database, options: SeedOptions): Promise<SeedResult> {
  if (database.engine !== 'pglite') throw new DomainError('seed_refused', 'refusing to seed sample data into a database given through DATABASE_URL');
  const [row] = await queryRows<{ any: boolean }>(database.db, sql`SELECT EXISTS (SELECT 1 FROM purchases) AS any`);
  if (row!.any) return { seeded: false };
  const dir = options.sampleDataDir;
  const importOptions = { progress: options.progressBars ?? false };
  const items = await importItems(database, join(dir, SAMPLE_FILES.items), 'online-retail-descriptions', importOptions);
  const customers = await importCustomers(database, join(dir, SAMPLE_FILES.customers), 'online-retail-countries', importOptions);
  const purchases = await importPurchases(database, join(dir, SAMPLE_FILES.purchases), { format: 'online-retail', ...importOptions });
  return { seeded: true, items, customers, purchases };
}

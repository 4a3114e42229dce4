// The import job: one purchase, item or customer file (CSV or CSV.gz) into the database, streamed
// and validated by src/import, in one transaction.
import type { Database } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { importCustomers, importItems, type CatalogImportSummary, type CustomerFormat, type ItemFormat } from '../import/catalog-import.ts';
import { importPurchases, type PurchaseImportSummary } from '../import/purchase-import.ts';
import type { PurchaseFormat } from '../import/purchase-row.ts';
import { LiveScores } from '../services/live-scores.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { startTensorflow } from './tensorflow.ts';

/** The file formats each kind of import reads; the first is the default. */
export const IMPORT_FORMATS = {
  purchases: ['canonical', 'online-retail'],
  items: ['canonical', 'online-retail-descriptions'],
  customers: ['canonical', 'online-retail-countries'],
} as const satisfies { purchases: readonly PurchaseFormat[]; items: readonly ItemFormat[]; customers: readonly CustomerFormat[] };

export type ImportKind = keyof typeof IMPORT_FORMATS;

export type ImportOptions = {
  file: string;
  rejectsPath?: string;
  signal?: AbortSignal;
  /** The importers draw their own bars on stderr (src/import). */
  progressBars?: boolean;
  /** Purchases: then re-score the customers the file added lines for, with the latest scoring run's model from here. */
  rescoreWith?: { modelsDir: string };
} & (
  | { kind: 'purchases'; format: PurchaseFormat }
  | { kind: 'items'; format: ItemFormat }
  | { kind: 'customers'; format: CustomerFormat }
);

export type ImportResult = { kind: 'purchases'; summary: PurchaseImportSummary; rescored?: number } | { kind: 'items' | 'customers'; summary: CatalogImportSummary };

export async function importFile(database: Database, options: ImportOptions, progress: JobProgress = silentProgress): Promise<ImportResult> {
  if (options.signal?.aborted) throw new DomainError('aborted', 'import interrupted: nothing was changed');
  const common = { ...(options.rejectsPath === undefined ? {} : { rejectsPath: options.rejectsPath }), progress: options.progressBars ?? false };
  switch (options.kind) {
    case 'purchases': {
      const summary = await importPurchases(database, options.file, { ...common, format: options.format, ...(options.signal ? { signal: options.signal } : {}) });
      if (!options.rescoreWith || summary.purchases + summary.cancellations === 0) return { kind: 'purchases', summary };
      return { kind: 'purchases', summary, rescored: await rescoreAfterImport(database, options.rescoreWith.modelsDir, progress) };
    }
    case 'items':
      return { kind: 'items', summary: await importItems(database, options.file, options.format, common) };
    case 'customers':
      return { kind: 'customers', summary: await importCustomers(database, options.file, options.format, common) };
  }
}

/** The customers whose rows miss lines, re-scored as an event batch would (services/live-scores.ts). */
async function rescoreAfterImport(database: Database, modelsDir: string, progress: JobProgress): Promise<number> {
  await startTensorflow(progress);
  const live = new LiveScores({ modelsDir, onModelMissing: (version) => progress.warn(`scores not updated: the churn model ${version} of the latest scoring run does not load`) });
  progress.stage('re-scoring the customers with new lines', { unit: 'customers' });
  const rescored = await live.rescoreStale(database.db, 500, (done, total) => progress.update(done, total));
  progress.finish();
  return rescored;
}

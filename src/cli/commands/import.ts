// `retain import purchases|items|customers FILE`: streamed, validated bulk imports into the
// database in DATABASE_URL, or the embedded PGlite database when it is unset.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { openMigratedDatabase } from '../../db/client.ts';
import type { CatalogImportSummary } from '../../import/catalog-import.ts';
import type { PurchaseImportSummary } from '../../import/purchase-import.ts';
import { inputSize } from '../../import/csv.ts';
import { countDashboard } from '../../jobs/count-dashboard.ts';
import { IMPORT_FORMATS, importFile, type ImportKind, type ImportOptions } from '../../jobs/import.ts';
import { createLogger } from '../../logger.ts';
import { printDashboardCount } from '../dashboard-count.ts';
import { oneOf } from '../flags.ts';
import { terminalProgress } from '../job-progress.ts';

const HELP = `usage: retain import purchases FILE [--format canonical|online-retail] [--rejects FILE] [--json]
       retain import items FILE [--format canonical|online-retail-descriptions] [--rejects FILE] [--json]
       retain import customers FILE [--format canonical|online-retail-countries] [--rejects FILE] [--json]

FILE is CSV, or gzip-compressed CSV when its name ends in .gz, with a header row.
  purchases  canonical columns: customer_id, order_id, item_id, quantity, unit_price, occurred_at
             [, line_no]; online-retail: InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice,
             CustomerID. Invoices starting with C / negative quantities are stored as cancellations.
             Without line_no, a line's number is its position within its order in the file.
  items      canonical: item_id [, title, category, price, active, in_stock, recommendable];
             online-retail-descriptions: StockCode, Description (first row per code wins).
  customers  canonical: customer_id [, email, country, unsubscribed];
             online-retail-countries: CustomerID, Country.
Bad rows are reported with their line number and reason and skipped (--rejects writes them all to
a CSV file); good rows go in. The whole import is one transaction: Ctrl-C changes nothing, and
importing the same file again adds nothing. Uses DATABASE_URL, else the embedded database. After
a purchases file, the customers it added lines for are re-scored against the latest scoring run, and the
dashboard's stored summaries are brought up to date.
--json prints the summary (counts, seconds, the first rejects) as one JSON object instead.
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { format: { type: 'string', short: 'f' }, rejects: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const [what, file, ...extra] = positionals;
  if (!what || !(what in IMPORT_FORMATS) || !file || extra.length > 0) {
    process.stderr.write(HELP);
    return 2;
  }
  const kind = what as ImportKind;
  const format = oneOf<string>('--format', values.format ?? 'canonical', IMPORT_FORMATS[kind]);

  inputSize(file); // a missing file fails before the database is opened
  const config = loadConfig();
  // Ctrl-C ends the import through its rollback, so the database is closed cleanly (a second
  // Ctrl-C kills at once).
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ninterrupted: rolling back\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const database = await openMigratedDatabase(config).catch((err: unknown) => {
    process.off('SIGINT', onSigint);
    throw err;
  });
  try {
    const job = { kind, format, file, signal: controller.signal, progressBars: !values.json, rescoreWith: { modelsDir: config.MODELS_DIR }, ...(values.rejects === undefined ? {} : { rejectsPath: values.rejects }) } as ImportOptions;
    const result = await importFile(database, job, terminalProgress(createLogger(config.LOG_LEVEL)));
    const dashboard = result.kind === 'purchases' ? await countDashboard(database) : undefined;
    if (values.json) process.stdout.write(`${JSON.stringify({ kind: result.kind, ...result.summary, ...(result.kind === 'purchases' ? { rescored: result.rescored } : {}) })}\n`);
    else if (result.kind === 'purchases') {
      printPurchases(result.summary, result.rescored);
      printDashboardCount(dashboard!);
    } else printCatalog(result.kind, result.summary);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    await database.close();
  }
}

function printPurchases(s: PurchaseImportSummary, rescored: number | undefined): void {
  process.stdout.write(
    [
      `read           ${s.read} lines from ${s.file} (${s.format})`,
      `imported       ${s.purchases} purchase lines, ${s.cancellations} cancellation lines`,
      `new            ${s.newCustomers} customers, ${s.newItems} items`,
      `duplicates     ${s.duplicates} lines already stored (skipped)`,
      `erased         ${s.erased} lines of erased customers (skipped)`,
      `rejected       ${s.rejected} lines`,
      `time           ${s.seconds.toFixed(1)} s (${Math.round(s.read / s.seconds)} lines/s)`,
      ...(rescored ? [`re-scored      ${rescored} customers with new lines (against the latest scoring run)`] : []),
      '',
    ].join('\n'),
  );
  printRejects(s.rejected, s.rejectSamples);
}

function printCatalog(kind: ImportKind, s: CatalogImportSummary): void {
  process.stdout.write(
    [
      `read           ${s.read} rows from ${s.file} (${s.format})`,
      `imported       ${s.inserted} new ${kind}, ${s.updated} updated`,
      `duplicates     ${s.duplicates} later rows for an id already in the file (skipped)`,
      ...(kind === 'customers' ? [`erased         ${s.erased} erased customers (left untouched)`] : []),
      `rejected       ${s.rejected} rows`,
      `time           ${s.seconds.toFixed(1)} s`,
      '',
    ].join('\n'),
  );
  printRejects(s.rejected, s.rejectSamples);
}

function printRejects(total: number, samples: { line: number; reason: string }[]): void {
  if (total === 0) return;
  const shown = samples.slice(0, 5);
  process.stdout.write(`first rejects:\n${shown.map((r) => `  line ${r.line}: ${r.reason}`).join('\n')}\n`);
  if (total > shown.length) process.stdout.write(`  ... ${total - shown.length} more (--rejects FILE writes them all)\n`);
}

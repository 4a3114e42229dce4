// Purchase history import: the file is streamed and validated record by record, the good lines go
// chunk by chunk into a temporary staging table with COPY (the server stores one chunk while the
// next is parsed here) and are merged from there into customers, items and purchases in a few
// set-wise statements at the end, all inside one transaction: a crash or Ctrl-C before the commit
// changes nothing, memory stays flat, and (order_id, line_no) makes a repeated import add nothing.
// Where the time goes, and why the merge is one statement: bench/import/README.md.
import type { BulkSession, Database } from '../db/client.ts';
import { ONLINE_RETAIL_NON_PRODUCTS } from '../db/schema/items.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { createProgress } from '../progress.ts';
import { CopyChunker } from './copy-text.ts';
import { lockIfEmpty, withIndexesRebuilt } from './index-rebuild.ts';
import { inputSize, openInput, readCsv, type CsvRecord } from './csv.ts';
import { parsePurchaseRecord, purchaseLayout, type PurchaseFormat, type PurchaseLayout } from './purchase-row.ts';
import { REJECT_SAMPLES, rejectsFile, type Reject } from './rejects.ts';

export interface PurchaseImportOptions {
  format?: PurchaseFormat;
  /** Write every rejected record (line, reason, record) to this CSV file. */
  rejectsPath?: string;
  /** Rows per COPY statement. */
  chunkRows?: number;
  /** Show progress on stderr (a bar on a terminal, log lines elsewhere). */
  progress?: boolean;
  /** Aborting before the merge commits leaves the database as it was. */
  signal?: AbortSignal;
}

export interface PurchaseImportSummary {
  file: string;
  format: PurchaseFormat;
  /** Records after the header. */
  read: number;
  /** New rows of kind 'purchase'. */
  purchases: number;
  /** New rows of kind 'cancellation'. */
  cancellations: number;
  rejected: number;
  /** Valid lines whose (order_id, line_no) was already stored: a repeated import. */
  duplicates: number;
  /** Valid lines of erased customers: never stored. */
  erased: number;
  newCustomers: number;
  newItems: number;
  /** The first rejects, for a quick look without the rejects file. */
  rejectSamples: Reject[];
  seconds: number;
  /** Where the seconds went, phase by phase (bench/import/README.md reads them). */
  phases: ImportPhases;
}

export interface ImportPhases {
  /** Reading, checking and COPYing the file into the staging table (client and server at once). */
  stage: number;
  /** New customers and items. */
  upserts: number;
  /** Locking the file's customers FOR SHARE, counting lines of erased ones. */
  lock: number;
  /** INSERT ... SELECT into purchases. */
  insert: number;
  /** Rebuilding purchases' indexes after a first load (0 otherwise). */
  indexes: number;
  /** COMMIT and the ANALYZE after it. */
  commit: number;
}

const STAGE = 'purchase_stage';
/** The file's distinct customer and item ids, gathered here: the merge then never scans the lines for them. */
const STAGE_CUSTOMERS = 'purchase_stage_customers';
const STAGE_ITEMS = 'purchase_stage_items';
const STAGE_COLUMNS = ['line', 'customer', 'item', 'order_id', 'line_no', 'kind', 'quantity', 'unit_price', 'occurred_ms'] as const;

export async function importPurchases(database: Database, path: string, options: PurchaseImportOptions = {}): Promise<PurchaseImportSummary> {
  const { format = 'canonical', rejectsPath, chunkRows = 50_000, signal } = options;
  const started = performance.now();
  const startedAt = new Date();
  const size = inputSize(path);
  const progress = options.progress ? createProgress({ label: 'import purchases', total: size, unit: 'bytes' }) : undefined;
  let bytes = 0;
  const records = readCsv(openInput(path, (b) => (bytes = b)))[Symbol.asyncIterator]();

  // The header is checked before the database is touched: a wrong file fails at once.
  const first = await records.next();
  if (first.done) throw new ValidationError(`${path} is empty: expected a CSV header`);
  const header = first.value.fields;
  let layout: PurchaseLayout;
  try {
    layout = purchaseLayout(format, header);
  } catch (err) {
    await records.return?.(undefined); // closes the file
    throw err;
  }
  const lineNoIndex = format === 'canonical' ? headerIndex(header, 'line_no') : undefined;

  const summary: PurchaseImportSummary = {
    file: path, format, read: 0, purchases: 0, cancellations: 0, rejected: 0, duplicates: 0, erased: 0, newCustomers: 0, newItems: 0, rejectSamples: [], seconds: 0,
    phases: { stage: 0, upserts: 0, lock: 0, insert: 0, indexes: 0, commit: 0 },
  };
  const rejects = rejectsPath ? rejectsFile(rejectsPath) : undefined;
  const reject = async (record: CsvRecord, reason: string): Promise<void> => {
    summary.rejected++;
    const r = { line: record.line, reason, fields: record.fields };
    if (summary.rejectSamples.length < REJECT_SAMPLES) summary.rejectSamples.push(r);
    await rejects?.add(r);
  };

  try {
    await database.withSession(async (session) => {
      await session.exec(`DROP TABLE IF EXISTS ${STAGE}, ${STAGE_CUSTOMERS}, ${STAGE_ITEMS};
        CREATE TEMP TABLE ${STAGE} (line int, customer text, item text, order_id text, line_no int, kind purchase_kind,
          quantity int, unit_price float8, occurred_ms float8);
        CREATE TEMP TABLE ${STAGE_CUSTOMERS} (external_id text);
        CREATE TEMP TABLE ${STAGE_ITEMS} (external_id text)`);
      await session.exec('BEGIN');
      // The server stores one chunk while the next is parsed here (two cores at work).
      let inFlight: Promise<void> = Promise.resolve();
      let serverError: unknown;
      let staged = 0;
      let committing = 0;
      try {
        const chunker = new CopyChunker(chunkRows);
        const ids = { customers: new Ids(), items: new Ids() };
        const flush = async (): Promise<void> => {
          await inFlight;
          if (serverError) throw serverError;
          staged += chunker.size;
          const [lines, customers, items] = [chunker.take(), ids.customers.take(), ids.items.take()];
          inFlight = (async () => {
            if (lines.length > 0) await session.copyIn(STAGE, STAGE_COLUMNS, lines);
            if (customers.length > 0) await session.copyIn(STAGE_CUSTOMERS, ['external_id'], customers);
            if (items.length > 0) await session.copyIn(STAGE_ITEMS, ['external_id'], items);
          })().catch((err: unknown) => void (serverError = err));
        };
        // Position of each line within its order, counting every record that names the order.
        const orderLines = new Map<string, number>();

        for (let next = await records.next(); !next.done; next = await records.next()) {
          const record = next.value;
          summary.read++;
          let lineNo: number | undefined;
          if (lineNoIndex === undefined) {
            const orderId = record.fields[layout.index.order_id]?.trim();
            if (orderId) orderLines.set(orderId, (lineNo = (orderLines.get(orderId) ?? 0) + 1));
          } else {
            const raw = Number(record.fields[lineNoIndex]?.trim() || Number.NaN);
            if (Number.isInteger(raw) && raw > 0 && raw < 2 ** 31) lineNo = raw;
          }
          const result = parsePurchaseRecord(layout, record.fields);
          if (!result.ok) await reject(record, result.reason);
          else if (lineNo === undefined) await reject(record, 'line_no must be a positive integer');
          else {
            const l = result.line;
            chunker.add([record.line, l.customerId, l.itemId, l.orderId, lineNo, l.kind, l.quantity, l.unitPrice, l.occurredAt]);
            ids.customers.add(l.customerId);
            ids.items.add(l.itemId);
            if (chunker.full) {
              await flush();
              if (signal?.aborted) throw new DomainError('aborted', 'import interrupted: nothing was changed');
              progress?.update(bytes);
            }
          }
        }
        await flush();
        await inFlight;
        if (serverError) throw serverError;
        if (signal?.aborted) throw new DomainError('aborted', 'import interrupted: nothing was changed');
        summary.phases.stage = (performance.now() - started) / 1000;
        // Line numbers counted here are unique per order; a file's own line_no column may repeat one.
        await merge(session, { format, staged, repeatsPossible: lineNoIndex !== undefined }, summary);
        committing = performance.now();
        const { rejectSamples: _, file, format: f, seconds: __, phases: ___, ...counts } = summary;
        await session.query(`INSERT INTO import_runs (kind, file, format, counts, started_at) VALUES ('purchases', $1, $2, $3::jsonb, $4)`, [
          file,
          f,
          JSON.stringify(counts),
          startedAt.toISOString(),
        ]);
        await session.exec('COMMIT');
      } catch (err) {
        // Nothing may be sent while a COPY is still streaming on this connection.
        await inFlight;
        await session.exec('ROLLBACK');
        throw err;
      } finally {
        await session.exec(`DROP TABLE IF EXISTS ${STAGE}, ${STAGE_CUSTOMERS}, ${STAGE_ITEMS}`);
      }
      // Fresh planner statistics after a bulk load, so the first queries do not scan blind.
      await session.exec('ANALYZE customers; ANALYZE items; ANALYZE purchases');
      summary.phases.commit = (performance.now() - committing) / 1000;
    });
  } finally {
    await records.return?.(undefined);
    await rejects?.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  progress?.update(size);
  progress?.finish(`${summary.purchases} purchases, ${summary.cancellations} cancellations, ${summary.rejected} rejected`);
  return summary;
}

/**
 * The staged lines into customers, items and purchases, each in one set-wise statement. The file's
 * customers are locked FOR SHARE first (once each): an erasure under way is waited for and then
 * seen, a later one waits for this import and deletes what it stored. Into an empty purchases table
 * (a first load) the lines go without the table's indexes, which are built again afterwards, and
 * without the conflict check; repeats of an (order_id, line_no) pair that a file's own line_no
 * column may hold are left out by DISTINCT ON, keeping the first in file order as ON CONFLICT DO
 * NOTHING would.
 */
async function merge(
  session: BulkSession,
  stage: { format: PurchaseFormat; staged: number; repeatsPossible: boolean },
  summary: PurchaseImportSummary,
): Promise<void> {
  const { phases } = summary;
  let at = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const seconds = (now - at) / 1000;
    at = now;
    return seconds;
  };
  const nonProducts = stage.format === 'online-retail' ? ONLINE_RETAIL_NON_PRODUCTS.map(sqlString).join(', ') : undefined;
  summary.newCustomers = await count(
    session,
    `INSERT INTO customers (external_id) SELECT external_id FROM ${STAGE_CUSTOMERS} ON CONFLICT (external_id) DO NOTHING RETURNING 1`,
  );
  summary.newItems = await count(
    session,
    `INSERT INTO items (external_id, recommendable)
     SELECT external_id, ${nonProducts ? `external_id NOT IN (${nonProducts})` : 'true'} FROM ${STAGE_ITEMS}
     ON CONFLICT (external_id) DO NOTHING RETURNING 1`,
  );
  phases.upserts = lap();
  const [locked] = await session.query<{ erased: number }>(
    `SELECT count(*) FILTER (WHERE erased_at IS NOT NULL)::int AS erased
     FROM (SELECT erased_at FROM customers WHERE external_id IN (SELECT external_id FROM ${STAGE_CUSTOMERS}) FOR SHARE) c`,
  );
  if (locked!.erased > 0) {
    const [row] = await session.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${STAGE} s JOIN customers c ON c.external_id = s.customer WHERE c.erased_at IS NOT NULL`,
    );
    summary.erased = row!.n;
  }
  const firstLoad = await lockIfEmpty(session, 'purchases');
  phases.lock = lap();
  const insert = () =>
    session.query<{ purchases: number; cancellations: number }>(
      `WITH ins AS (
         INSERT INTO purchases (customer_id, item_id, order_id, line_no, kind, quantity, unit_price, occurred_at, source)
         SELECT ${firstLoad && stage.repeatsPossible ? 'DISTINCT ON (s.order_id, s.line_no)' : ''}
                c.id, i.id, s.order_id, s.line_no, s.kind, s.quantity, s.unit_price, to_timestamp(s.occurred_ms / 1000.0), 'import'::purchase_source
         FROM ${STAGE} s JOIN customers c ON c.external_id = s.customer AND c.erased_at IS NULL JOIN items i ON i.external_id = s.item
         ${firstLoad ? (stage.repeatsPossible ? 'ORDER BY s.order_id, s.line_no, s.line' : '') : 'ON CONFLICT (order_id, line_no) DO NOTHING'}
         RETURNING kind
       )
       SELECT count(*) FILTER (WHERE kind = 'purchase')::int AS purchases, count(*) FILTER (WHERE kind = 'cancellation')::int AS cancellations FROM ins`,
    );
  const [row] = firstLoad
    ? await withIndexesRebuilt(session, 'purchases', async () => {
        const rows = await insert();
        phases.insert = lap();
        return rows;
      })
    : await insert();
  if (firstLoad) phases.indexes = lap();
  else phases.insert = lap();
  summary.purchases = row!.purchases;
  summary.cancellations = row!.cancellations;
  summary.duplicates = stage.staged - summary.erased - row!.purchases - row!.cancellations;
}

async function count(session: BulkSession, insertReturning: string): Promise<number> {
  const [row] = await session.query<{ n: number }>(`WITH ins AS (${insertReturning}) SELECT count(*)::int AS n FROM ins`);
  return row!.n;
}

/**
 * Ids seen in the file, each handed out once as COPY text. Grows with the file's distinct customers
 * and items, as the per-order line counter grows with its orders.
 */
class Ids {
  private readonly seen = new Set<string>();
  private readonly pending = new CopyChunker(Number.POSITIVE_INFINITY);

  add(id: string): void {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.pending.add([id]);
  }

  take(): Uint8Array {
    return this.pending.take();
  }
}

function headerIndex(header: readonly string[], name: string): number | undefined {
  const i = header.findIndex((h) => h.trim().replace(/^\uFEFF/, '') === name);
  return i === -1 ? undefined : i;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

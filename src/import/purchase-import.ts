// Purchase history import: the file is streamed and validated record by record, the good lines are
// gathered in batches whose new customers and items are created (their ids looked up once each,
// the customers locked FOR SHARE), then COPYed (binary) with those ids while the next batch is read:
// into purchases itself on a first load (the table empty and locked, its indexes built afterwards,
// the row ids given by the client), or into a temporary staging table merged with ON CONFLICT DO
// NOTHING in file order at the end. All inside one
// transaction: a crash or Ctrl-C before the commit changes nothing, memory stays flat, and
// (order_id, line_no) makes a repeated import add nothing. Where the time goes: bench/import/README.md.
import type { BulkSession, Database } from '../db/client.ts';
import { ONLINE_RETAIL_NON_PRODUCTS } from '../db/schema/items.ts';
import { DomainError, ValidationError } from '../errors.ts';
import { createProgress } from '../progress.ts';
import { lockIfEmpty, withIndexesRebuilt } from './index-rebuild.ts';
import { inputSize, openInput, readCsvBatches, type CsvRecord } from './csv.ts';
import { BATCH_COLUMNS, PurchaseBatch, type IdMap } from './purchase-batch.ts';
import { parsePurchaseRecord, purchaseLayout, type PurchaseFormat, type PurchaseLayout } from './purchase-row.ts';
import { REJECT_SAMPLES, rejectsFile, type Reject } from './rejects.ts';

export interface PurchaseImportOptions {
  format?: PurchaseFormat;
  /** Write every rejected record (line, reason, record) to this CSV file. */
  rejectsPath?: string;
  /**
   * Rows per COPY statement; two batches of them are held at once, as binary rows (about 100 bytes a line) save the
   * few waiting for ids. 5M generated lines peaked at 218 MB RSS with 50,000 and 219 MB with 20,000; with 50,000 the
   * stage's chain of lookups and COPYs has 9 links instead of 21 for Online Retail (bench/import/README.md).
   */
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
  /** From the start until every line is in purchases (a first load) or the staging table: reading, checking, lookups, COPY. */
  stage: number;
  /** Of the stage: creating the new customers and items and looking up every id (while the reading goes on). */
  upserts: number;
  /** Whether purchases is empty, and if so locking it for a first load. */
  lock: number;
  /** INSERT ... SELECT from the staging table into purchases (0 on a first load: the lines went straight in). */
  insert: number;
  /** Rebuilding purchases' indexes after a first load (0 otherwise). */
  indexes: number;
  /** COMMIT and the ANALYZE after it. */
  commit: number;
}

const STAGE = 'purchase_stage';

export async function importPurchases(database: Database, path: string, options: PurchaseImportOptions = {}): Promise<PurchaseImportSummary> {
  const { format = 'canonical', rejectsPath, chunkRows = 50_000, signal } = options;
  const started = performance.now();
  const startedAt = new Date();
  const size = inputSize(path);
  const progress = options.progress ? createProgress({ label: 'import purchases', total: size, unit: 'bytes' }) : undefined;
  let bytes = 0;
  const pieces = readCsvBatches(openInput(path, (b) => (bytes = b)))[Symbol.asyncIterator]();

  // The header is checked before the database is touched: a wrong file fails at once.
  const first = await pieces.next();
  if (first.done) throw new ValidationError(`${path} is empty: expected a CSV header`);
  const header = first.value[0]!.fields;
  let layout: PurchaseLayout;
  try {
    layout = purchaseLayout(format, header);
  } catch (err) {
    await pieces.return?.(undefined); // closes the file
    throw err;
  }
  const lineNoIndex = format === 'canonical' ? headerIndex(header, 'line_no') : undefined;
  const afterHeader = first.value.slice(1);
  const nextPiece = async (): Promise<CsvRecord[] | undefined> => {
    const next = await pieces.next();
    return next.done ? undefined : next.value;
  };

  const summary: PurchaseImportSummary = {
    file: path, format, read: 0, purchases: 0, cancellations: 0, rejected: 0, duplicates: 0, erased: 0, newCustomers: 0, newItems: 0, rejectSamples: [], seconds: 0,
    phases: { stage: 0, upserts: 0, lock: 0, insert: 0, indexes: 0, commit: 0 },
  };
  const { phases } = summary;
  const rejects = rejectsPath ? rejectsFile(rejectsPath) : undefined;
  const reject = async (record: CsvRecord, reason: string): Promise<void> => {
    summary.rejected++;
    const r = { line: record.line, reason, fields: record.fields };
    if (summary.rejectSamples.length < REJECT_SAMPLES) summary.rejectSamples.push(r);
    await rejects?.add(r);
  };
  const nonProducts = format === 'online-retail' ? ONLINE_RETAIL_NON_PRODUCTS.map(sqlString).join(', ') : undefined;

  try {
    await database.withSession(async (session) => {
      await session.exec('BEGIN');
      // The batches handed over so far, in order: never rejects, the first failure is kept in serverError.
      let inFlight: Promise<void> = Promise.resolve();
      let serverError: unknown;
      let committing = 0;
      try {
        // A first load locks purchases before any customer row: erasures and event batches take
        // purchases before customers too, so none of them can hold a customer this import waits for.
        let at = performance.now();
        const firstLoad = await lockIfEmpty(session, 'purchases');
        phases.lock = (performance.now() - at) / 1000;
        const target = firstLoad ? 'purchases' : STAGE;
        // Each row carries its id, in file order: on a first load purchases.id itself, drawn here from the
        // table's sequence in one block (nothing else can insert into the locked table) instead of one
        // nextval per row; in the staging table the line's place, which the merge follows.
        let nextId = 1;
        if (firstLoad) {
          nextId = (await session.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('purchases', 'id'))::float8 AS id`))[0]!.id;
        } else {
          await session.exec(`CREATE TEMP TABLE ${STAGE} (id bigint, customer_id bigint, item_id bigint, order_id text, line_no int, kind purchase_kind,
            quantity int, unit_price float8, occurred_at timestamptz) ON COMMIT DROP`);
        }
        const firstId = nextId;
        const ids = { customers: new Map() as IdMap, items: new Map() as IdMap };
        let sent = 0;
        /** The batch's new customers and items created, every id looked up, and its lines as COPY rows. */
        const writeOut = async (batch: PurchaseBatch): Promise<Uint8Array | undefined> => {
          const t = performance.now();
          const unknown = batch.unknownIds();
          // sent at once: the server runs them in order, the client waits for one round trip
          const [customers, items] = await Promise.all([
            unknown.customers.length > 0 ? resolveCustomers(session, unknown.customers, ids.customers) : 0,
            unknown.items.length > 0 ? resolveItems(session, unknown.items, ids.items, nonProducts) : 0,
          ]);
          summary.newCustomers += customers;
          summary.newItems += items;
          phases.upserts += (performance.now() - t) / 1000;
          const encoded = batch.take();
          summary.purchases += encoded.purchases;
          summary.cancellations += encoded.cancellations;
          summary.erased += encoded.erased;
          sent += encoded.purchases + encoded.cancellations;
          return encoded.data;
        };
        // Two batches: one is read into while the other waits for its ids and goes to the server,
        // so neither the lookups' round trips nor the COPY hold up the reading.
        const batches = [new PurchaseBatch(chunkRows, ids.customers, ids.items), new PurchaseBatch(chunkRows, ids.customers, ids.items)];
        let filling = 0;
        let otherWritten: Promise<void> = Promise.resolve();
        const flush = async (): Promise<void> => {
          const batch = batches[filling]!;
          const previous = inFlight;
          let written!: () => void;
          const isWritten = new Promise<void>((resolve) => (written = resolve));
          inFlight = (async () => {
            const data = await (async () => {
              await previous; // batches reach the server in file order
              return serverError ? undefined : writeOut(batch);
            })().finally(written);
            if (data) await session.copyIn(target, BATCH_COLUMNS, data, 'binary');
          })().catch((err: unknown) => void (serverError ??= err));
          filling = 1 - filling;
          await otherWritten; // the batch read into next was handed over before this one
          otherWritten = isWritten;
          if (serverError) throw serverError;
        };
        // Position of each line within its order, counting every record that names the order.
        const orderLines = new Map<string, number>();
        const stage = async (): Promise<void> => {
          for (let piece: CsvRecord[] | undefined = afterHeader; piece; piece = await nextPiece()) {
            for (const record of piece) {
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
                const batch = batches[filling]!;
                batch.add(result.line, lineNo, nextId++);
                if (batch.full) {
                  await flush();
                  if (signal?.aborted) throw new DomainError('aborted', 'import interrupted: nothing was changed');
                  progress?.update(bytes);
                }
              }
            }
          }
          await flush();
          await inFlight;
          if (serverError) throw serverError;
          if (signal?.aborted) throw new DomainError('aborted', 'import interrupted: nothing was changed');
          // the sequence goes on after the ids given (a rollback leaves a gap, as any rolled-back insert does)
          if (firstLoad && nextId > firstId) await session.query(`SELECT setval(pg_get_serial_sequence('purchases', 'id'), $1::bigint)`, [nextId - 1]);
          phases.stage = (performance.now() - started) / 1000;
          at = performance.now();
        };
        if (firstLoad) {
          // Line numbers counted here are unique per order; a file's own line_no column may repeat one.
          const repeats = lineNoIndex === undefined ? undefined : () => removeRepeats(session, summary);
          // 256 MB leaves room for parallel workers (32 MB each at least): the builds took 3.1 s against 3.3-4.4 s with
          // the default in psql (bench/import/README.md); PGlite has no workers and keeps its default
          await withIndexesRebuilt(session, 'purchases', stage, { removeRepeats: repeats, sortMemory: database.engine === 'postgres' ? '256MB' : undefined });
          phases.indexes = (performance.now() - at) / 1000;
        } else {
          await stage();
          // in file order, so of a file's own repeated (order_id, line_no) the first is kept, and purchases.id follows the file
          const columns = BATCH_COLUMNS.filter((c) => c !== 'id').join(', ');
          const [row] = await session.query<{ purchases: number; cancellations: number }>(
            `WITH ins AS (
               INSERT INTO purchases (${columns}) SELECT ${columns} FROM ${STAGE} ORDER BY id
               ON CONFLICT (order_id, line_no) DO NOTHING RETURNING kind
             )
             SELECT count(*) FILTER (WHERE kind = 'purchase')::int AS purchases, count(*) FILTER (WHERE kind = 'cancellation')::int AS cancellations FROM ins`,
          );
          summary.purchases = row!.purchases;
          summary.cancellations = row!.cancellations;
          phases.insert = (performance.now() - at) / 1000;
        }
        summary.duplicates = sent - summary.purchases - summary.cancellations;
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
      }
      // Fresh planner statistics after a bulk load, so the first queries do not scan blind.
      await session.exec('ANALYZE customers; ANALYZE items; ANALYZE purchases');
      phases.commit = (performance.now() - committing) / 1000;
    });
  } finally {
    await pieces.return?.(undefined);
    await rejects?.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  progress?.update(size);
  progress?.finish(`${summary.purchases} purchases, ${summary.cancellations} cancellations, ${summary.rejected} rejected`);
  return summary;
}

/**
 * Creates the customers not stored yet and puts every one's id in `known` (null if erased), locking
 * their rows FOR SHARE: an erasure under way is waited for and then seen, a later one waits for
 * this import and deletes what it stored. Returns how many were new.
 */
async function resolveCustomers(session: BulkSession, externalIds: string[], known: IdMap): Promise<number> {
  const list = JSON.stringify(externalIds);
  // the SELECT is a statement of its own, so its snapshot sees rows a concurrent writer committed while the INSERT waited for it;
  // ids as float8 (exact below 2^53): a number on both drivers, where bigint comes back as a string, one more per id kept;
  // = ANY (ARRAY(...)) is looked up in the unique index, where IN (SELECT ...) scanned the whole table once per batch
  const [created, rows] = await Promise.all([
    count(session, `INSERT INTO customers (external_id) SELECT value FROM json_array_elements_text($1::json) ON CONFLICT (external_id) DO NOTHING RETURNING 1`, [list]),
    session.query<{ id: number; external_id: string; erased: boolean }>(
      `SELECT id::float8 AS id, external_id, erased_at IS NOT NULL AS erased FROM customers
       WHERE external_id = ANY (ARRAY(SELECT json_array_elements_text($1::json))) FOR SHARE`,
      [list],
    ),
  ]);
  for (const r of rows) known.set(r.external_id, r.erased ? null : r.id);
  return created;
}

/** Creates the items not stored yet (Online Retail's postage and fee codes not recommendable) and puts every one's id in `known`. */
async function resolveItems(session: BulkSession, externalIds: string[], known: IdMap, nonProducts: string | undefined): Promise<number> {
  const list = JSON.stringify(externalIds);
  const [created, rows] = await Promise.all([
    count(
      session,
      `INSERT INTO items (external_id, recommendable)
       SELECT value, ${nonProducts ? `value NOT IN (${nonProducts})` : 'true'} FROM json_array_elements_text($1::json)
       ON CONFLICT (external_id) DO NOTHING RETURNING 1`,
      [list],
    ),
    session.query<{ id: number; external_id: string }>(`SELECT id::float8 AS id, external_id FROM items WHERE external_id = ANY (ARRAY(SELECT json_array_elements_text($1::json)))`, [list]),
  ]);
  for (const r of rows) known.set(r.external_id, r.id);
  return created;
}

/**
 * A first load's repeats of an (order_id, line_no) pair, which a file's own line_no column may
 * hold, deleted before the unique constraint is built again: the first in file order (the lowest
 * id) stays, as ON CONFLICT DO NOTHING would have kept it.
 */
async function removeRepeats(session: BulkSession, summary: PurchaseImportSummary): Promise<void> {
  const [row] = await session.query<{ purchases: number; cancellations: number }>(
    `WITH gone AS (
       DELETE FROM purchases p USING purchases q WHERE p.order_id = q.order_id AND p.line_no = q.line_no AND p.id > q.id RETURNING p.kind
     )
     SELECT count(*) FILTER (WHERE kind = 'purchase')::int AS purchases, count(*) FILTER (WHERE kind = 'cancellation')::int AS cancellations FROM gone`,
  );
  summary.purchases -= row!.purchases;
  summary.cancellations -= row!.cancellations;
}

async function count(session: BulkSession, insertReturning: string, params: unknown[]): Promise<number> {
  const [row] = await session.query<{ n: number }>(`WITH ins AS (${insertReturning}) SELECT count(*)::int AS n FROM ins`, params);
  return row!.n;
}

function headerIndex(header: readonly string[], name: string): number | undefined {
  const i = header.findIndex((h) => h.trim().replace(/^\uFEFF/, '') === name);
  return i === -1 ? undefined : i;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

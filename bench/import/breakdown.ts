// Where an import's time goes, piece by piece: `npx tsx bench/import/breakdown.ts`.
//
// Client: CPU seconds to read Online Retail (gunzip + CSV), to read and check every record
// (parsePurchaseRecord), and to read, check and write the COPY text the importer sends.
// Server, on a scratch database: the checked lines COPYed into a temporary staging table, then
// each way of merging them into purchases timed on its own and rolled back: with all of the
// table's indexes (the conflict check, without it), with only the primary key and the unique
// (order_id, line_no), with only the primary key, without any index, and finally the index builds
// after a load without them. Also: locking the file's customers FOR SHARE row by row in the join
// against once per customer. PostgreSQL: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import postgres from 'postgres';
import { migrate, openDatabase } from '../../src/db/client.ts';
import { CopyChunker } from '../../src/import/copy-text.ts';
import { openInput, readCsv } from '../../src/import/csv.ts';
import { parsePurchaseRecord, purchaseLayout, type PurchaseLayout } from '../../src/import/purchase-row.ts';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RETAIL = 'data/online-retail/online_retail_lines.csv.gz';
const COLUMNS = ['customer', 'item', 'order_id', 'line_no', 'kind', 'quantity', 'unit_price', 'occurred_ms'];

/** Reads the file `mode`-deep; returns CPU seconds and, for 'copy', the COPY text chunks. */
async function client(mode: 'read' | 'check' | 'copy'): Promise<{ cpu: number; chunks: Uint8Array[] }> {
  const cpu = process.cpuUsage();
  const chunks: Uint8Array[] = [];
  const chunker = new CopyChunker(50_000);
  const orderLines = new Map<string, number>();
  let layout: PurchaseLayout | undefined;
  for await (const record of readCsv(openInput(RETAIL))) {
    if (!layout) {
      layout = purchaseLayout('online-retail', record.fields);
      continue;
    }
    if (mode === 'read') continue;
    const order = record.fields[layout.index.order_id]!.trim();
    const lineNo = (orderLines.get(order) ?? 0) + 1;
    orderLines.set(order, lineNo);
    const r = parsePurchaseRecord(layout, record.fields);
    if (mode === 'check' || !r.ok) continue;
    const l = r.line;
    chunker.add([l.customerId, l.itemId, l.orderId, lineNo, l.kind, l.quantity, l.unitPrice, l.occurredAt]);
    if (chunker.full) chunks.push(chunker.take());
  }
  chunks.push(chunker.take());
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1e6, chunks };
}

const out = (label: string, seconds: number) => process.stdout.write(`${label.padEnd(78)} ${seconds.toFixed(2).padStart(6)} s\n`);

process.stdout.write(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
out('client CPU: read (gunzip + CSV)', (await client('read')).cpu);
out('client CPU: read + check every record', (await client('check')).cpu);
const { cpu, chunks } = await client('copy');
out('client CPU: read + check + COPY text', cpu);

const name = `retain_bench_${randomBytes(4).toString('hex')}`;
const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${name}`);
const url = new URL(SERVER);
url.pathname = `/${name}`;
const database = await openDatabase({ url: url.toString(), maxConnections: 1 });
try {
  await migrate(database);
  await database.withSession(async (s) => {
    const timed = async (label: string, sql: string) => {
      const t = performance.now();
      await s.exec(sql);
      out(label, (performance.now() - t) / 1000);
    };
    await s.exec('BEGIN');
    await s.exec(`CREATE TEMP TABLE stage (customer text, item text, order_id text, line_no int, kind purchase_kind, quantity int, unit_price float8, occurred_ms float8)`);
    const t = performance.now();
    for (const c of chunks) await s.copyIn('stage', COLUMNS, c);
    out('server: COPY the checked lines into the staging table', (performance.now() - t) / 1000);
    await timed('server: new customers from a scan of the staged lines', 'INSERT INTO customers (external_id) SELECT DISTINCT customer FROM stage ON CONFLICT DO NOTHING');
    await timed('server: new items from a scan of the staged lines', 'INSERT INTO items (external_id) SELECT DISTINCT item FROM stage ON CONFLICT DO NOTHING');
    await timed('server: FOR SHARE on every line\'s customer (in the join)', 'SELECT count(*) FROM (SELECT 1 FROM stage s JOIN customers c ON c.external_id = s.customer FOR SHARE OF c) x');
    await timed('server: FOR SHARE once per customer', 'SELECT count(*) FROM (SELECT 1 FROM customers WHERE external_id IN (SELECT customer FROM stage) FOR SHARE) x');
    await s.exec(`CREATE TEMP TABLE joined AS SELECT c.id AS customer_id, i.id AS item_id, s.order_id, s.line_no, s.kind, s.quantity, s.unit_price,
      to_timestamp(s.occurred_ms / 1000.0) AS occurred_at FROM stage s JOIN customers c ON c.external_id = s.customer JOIN items i ON i.external_id = s.item`);
    const insert = `INSERT INTO purchases (customer_id, item_id, order_id, line_no, kind, quantity, unit_price, occurred_at, source) SELECT *, 'import' FROM joined`;
    const variant = async (label: string, prelude: string, sql: string) => {
      await s.exec('SAVEPOINT v');
      if (prelude) await s.exec(prelude);
      await timed(label, sql);
      await s.exec('ROLLBACK TO SAVEPOINT v');
    };
    const secondary = 'DROP INDEX purchases_customer_time_idx, purchases_item_idx, purchases_time_idx';
    await variant('server: INSERT ... ON CONFLICT DO NOTHING, all five indexes', '', `${insert} ON CONFLICT (order_id, line_no) DO NOTHING`);
    await variant('server: INSERT, all five indexes, no conflict check', '', insert);
    await variant('server: INSERT ... ON CONFLICT, primary key + unique (order_id, line_no) only', secondary, `${insert} ON CONFLICT (order_id, line_no) DO NOTHING`);
    await variant('server: INSERT, primary key only', `${secondary}; ALTER TABLE purchases DROP CONSTRAINT purchases_order_line_key`, insert);
    await variant('server: INSERT, no index', `${secondary}; ALTER TABLE purchases DROP CONSTRAINT purchases_order_line_key, DROP CONSTRAINT purchases_pkey`, insert);
    await s.exec(`${secondary}; ALTER TABLE purchases DROP CONSTRAINT purchases_order_line_key, DROP CONSTRAINT purchases_pkey`);
    await s.exec(insert);
    await timed('server: then build the primary key', 'ALTER TABLE purchases ADD CONSTRAINT purchases_pkey PRIMARY KEY (id)');
    await timed('server: then build the unique (order_id, line_no)', 'ALTER TABLE purchases ADD CONSTRAINT purchases_order_line_key UNIQUE (order_id, line_no)');
    await timed('server: then build (customer_id, occurred_at)', 'CREATE INDEX purchases_customer_time_idx ON purchases (customer_id, occurred_at)');
    await timed('server: then build (occurred_at, id)', 'CREATE INDEX purchases_time_idx ON purchases (occurred_at, id)');
    await timed('server: then build (item_id)', 'CREATE INDEX purchases_item_idx ON purchases (item_id)');
    await s.exec('ROLLBACK');
  });
} finally {
  await database.close();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
process.stdout.write(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

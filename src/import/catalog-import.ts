// Catalog-style imports: items and customers, keyed by the shop's external id. The file is
// validated with zod, staged with COPY, and upserted in one transaction: the first row per id
// wins, columns absent from the file keep their stored values, and erased customers stay erased.
import { z } from 'zod';
import type { BulkSession, Database } from '../db/client.ts';
import { ONLINE_RETAIL_NON_PRODUCTS } from '../db/schema/items.ts';
import { ValidationError } from '../errors.ts';
import { createProgress } from '../progress.ts';
import { CopyChunker } from './copy-text.ts';
import { inputSize, openInput, readCsv, type CsvRecord } from './csv.ts';
import { REJECT_SAMPLES, rejectsFile, type Reject } from './rejects.ts';

export type ItemFormat = 'canonical' | 'online-retail-descriptions';
export type CustomerFormat = 'canonical' | 'online-retail-countries';

/** A value checked by zod and turned into the COPY text of its column's SQL type. */
interface Column {
  sqlType: string;
  value: z.ZodType<string>;
}

interface Target {
  table: 'items' | 'customers';
  columns: Record<string, Column>;
  /** Header name of each column, per format; `external_id` is required, the rest optional. */
  formats: Record<string, Record<string, string>>;
  /** Extra column values derived from the external id, per format. */
  derived?: Record<string, (externalId: string) => Record<string, string>>;
}

const text = (name: string, max: number) => z.string().trim().max(max, `${name} is longer than ${max} characters`);
const key = (name: string) => text(name, 200).min(1, `${name} is missing`);
const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((s) => ['true', 'false', '1', '0', 'yes', 'no', 't', 'f'].includes(s), `${name} must be true or false`)
    .transform((s) => String(['true', '1', 'yes', 't'].includes(s)));
const price = z
  .string()
  .trim()
  .refine((s) => s === '' || (Number.isFinite(Number(s)) && Number(s) >= 0), 'price must be a number >= 0');

const ITEMS: Target = {
  table: 'items',
  columns: {
    external_id: { sqlType: 'text', value: key('item_id') },
    title: { sqlType: 'text', value: text('title', 1000) },
    category: { sqlType: 'text', value: text('category', 200) },
    price: { sqlType: 'float8', value: price },
    active: { sqlType: 'boolean', value: bool('active') },
    in_stock: { sqlType: 'boolean', value: bool('in_stock') },
    recommendable: { sqlType: 'boolean', value: bool('recommendable') },
  },
  formats: {
    canonical: { external_id: 'item_id', title: 'title', category: 'category', price: 'price', active: 'active', in_stock: 'in_stock', recommendable: 'recommendable' },
    'online-retail-descriptions': { external_id: 'StockCode', title: 'Description' },
  },
  derived: {
    'online-retail-descriptions': (id) => ({ recommendable: String(!ONLINE_RETAIL_NON_PRODUCTS.includes(id)) }),
  },
};

const CUSTOMERS: Target = {
  table: 'customers',
  columns: {
    external_id: { sqlType: 'text', value: key('customer_id') },
    email: { sqlType: 'text', value: z.union([z.literal(''), z.email('email is not an e-mail address')]) },
    country: { sqlType: 'text', value: text('country', 100) },
    unsubscribed: { sqlType: 'boolean', value: bool('unsubscribed') },
  },
  formats: {
    canonical: { external_id: 'customer_id', email: 'email', country: 'country', unsubscribed: 'unsubscribed' },
    'online-retail-countries': { external_id: 'CustomerID', country: 'Country' },
  },
};

export interface CatalogImportOptions {
  rejectsPath?: string;
  progress?: boolean;
  chunkRows?: number;
}

export interface CatalogImportSummary {
  file: string;
  format: string;
  read: number;
  inserted: number;
  updated: number;
  rejected: number;
  /** Later rows for an id already seen in the file (the first one wins). */
  duplicates: number;
  /** Rows for erased customers: left untouched. */
  erased: number;
  rejectSamples: Reject[];
  seconds: number;
}

export function importItems(database: Database, path: string, format: ItemFormat = 'canonical', options: CatalogImportOptions = {}) {
  return importCatalog(database, ITEMS, path, format, options);
}

export function importCustomers(database: Database, path: string, format: CustomerFormat = 'canonical', options: CatalogImportOptions = {}) {
  return importCatalog(database, CUSTOMERS, path, format, options);
}

async function importCatalog(database: Database, target: Target, path: string, format: string, options: CatalogImportOptions): Promise<CatalogImportSummary> {
  const started = performance.now();
  const startedAt = new Date();
  const size = inputSize(path);
  const progress = options.progress ? createProgress({ label: `import ${target.table}`, total: size, unit: 'bytes' }) : undefined;
  let bytes = 0;
  const records = readCsv(openInput(path, (b) => (bytes = b)))[Symbol.asyncIterator]();
  const first = await records.next();
  if (first.done) throw new ValidationError(`${path} is empty: expected a CSV header`);
  const headers = target.formats[format]!;
  const header = first.value.fields.map((h) => h.trim().replace(/^\uFEFF/, ''));
  if (!header.includes(headers.external_id!)) {
    await records.return?.(undefined); // closes the file
    throw new ValidationError(`not a ${format} ${target.table} file: missing column ${headers.external_id}`);
  }
  const derive = target.derived?.[format];
  // Columns the file provides (plus derived ones): only these are written on update.
  const present = Object.keys(target.columns).filter((c) => header.includes(headers[c] ?? '\0') || (derive && c in derive('')));
  const positions = present.map((c) => header.indexOf(headers[c] ?? '\0'));
  const stage = `${target.table}_stage`;
  const stageColumns = ['file_line', ...present];

  const summary: CatalogImportSummary = { file: path, format, read: 0, inserted: 0, updated: 0, rejected: 0, duplicates: 0, erased: 0, rejectSamples: [], seconds: 0 };
  const rejects = options.rejectsPath ? rejectsFile(options.rejectsPath) : undefined;
  const reject = async (record: CsvRecord, reason: string): Promise<void> => {
    summary.rejected++;
    const r = { line: record.line, reason, fields: record.fields };
    if (summary.rejectSamples.length < REJECT_SAMPLES) summary.rejectSamples.push(r);
    await rejects?.add(r);
  };

  try {
    await database.withSession(async (session) => {
      await session.exec(`DROP TABLE IF EXISTS ${stage}; CREATE TEMP TABLE ${stage} (file_line int, ${present.map((c) => `${c} text`).join(', ')})`);
      try {
        const chunker = new CopyChunker(options.chunkRows ?? 20_000);
        for (let next = await records.next(); !next.done; next = await records.next()) {
          const record = next.value;
          summary.read++;
          const values: string[] = [];
          const reasons: string[] = [];
          const derived = derive?.(record.fields[positions[0]!]?.trim() ?? '');
          present.forEach((c, k) => {
            const raw = positions[k]! >= 0 ? (record.fields[positions[k]!] ?? '') : (derived?.[c] ?? '');
            const parsed = target.columns[c]!.value.safeParse(raw);
            if (parsed.success) values.push(parsed.data);
            else reasons.push(...parsed.error.issues.map((i) => i.message));
          });
          if (reasons.length > 0) await reject(record, reasons.join('; '));
          else chunker.add([record.line, ...values.map((v, k) => (v === '' && present[k] !== 'external_id' ? null : v))]);
          if (chunker.full) {
            await session.copyIn(stage, stageColumns, chunker.take());
            progress?.update(bytes);
          }
        }
        await session.copyIn(stage, stageColumns, chunker.take());
        await session.exec('BEGIN');
        try {
          await merge(session, target, stage, present, summary);
          const { rejectSamples: _, file, format: f, seconds: __, ...counts } = summary;
          await session.query(`INSERT INTO import_runs (kind, file, format, counts, started_at) VALUES ($1, $2, $3, $4::jsonb, $5)`, [
            target.table,
            file,
            f,
            JSON.stringify(counts),
            startedAt.toISOString(),
          ]);
          await session.exec('COMMIT');
        } catch (err) {
          await session.exec('ROLLBACK');
          throw err;
        }
      } finally {
        await session.exec(`DROP TABLE IF EXISTS ${stage}`);
      }
    });
  } finally {
    await records.return?.(undefined);
    await rejects?.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  progress?.update(size);
  progress?.finish(`${summary.inserted} new, ${summary.updated} updated, ${summary.rejected} rejected`);
  return summary;
}

/** First row per id -> INSERT ... ON CONFLICT DO UPDATE of the columns the file has. */
async function merge(session: BulkSession, target: Target, stage: string, present: string[], summary: CatalogImportSummary) {
  const cast = (c: string) => `${c}::${target.columns[c]!.sqlType}`;
  const updates = present.filter((c) => c !== 'external_id');
  const guard = target.table === 'customers' ? `WHERE ${target.table}.erased_at IS NULL` : '';
  const onConflict = `ON CONFLICT (external_id) DO ${updates.length > 0 ? `UPDATE SET ${updates.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now() ${guard}` : 'NOTHING'}`;
  const [row] = await session.query<{ firsts: number; inserted: number; updated: number }>(
    `WITH firsts AS (
       SELECT DISTINCT ON (external_id) * FROM ${stage} ORDER BY external_id, file_line
     ), up AS (
       INSERT INTO ${target.table} (${present.join(', ')})
       SELECT ${present.map(cast).join(', ')} FROM firsts
       ${onConflict}
       RETURNING (xmax = 0) AS inserted
     )
     SELECT (SELECT count(*) FROM firsts)::int AS firsts,
            (SELECT count(*) FROM up WHERE inserted)::int AS inserted,
            (SELECT count(*) FROM up WHERE NOT inserted)::int AS updated`,
  );
  const [all] = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${stage}`);
  summary.inserted = row!.inserted;
  summary.updated = row!.updated;
  summary.duplicates = all!.n - row!.firsts;
  // Erased customers match ON CONFLICT but the guard leaves them out of RETURNING.
  summary.erased = updates.length > 0 ? row!.firsts - row!.inserted - row!.updated : 0;
}

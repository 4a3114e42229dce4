// Streaming CSV reader (RFC 4180 quoting, LF or CRLF, optional gzip): never holds the whole file.
//
// Kept hand-written instead of csv-parse's streaming parser, measured A/B on 2026-12-01 (load
// average 14-20 on 2 cores, so CPU seconds are the guide): reading Online Retail's 541,909 lines
// alone took 0.85-1.4 CPU s here against 5.0-6.4 s with csv-parse (records through its object-mode
// stream); the whole import (`npx tsx bench/import/run.ts`), this reader against csv-parse, took
// 6.8 against 11.3 importer CPU s on PostgreSQL (wall 43.7 against 94.2 s) and 21.9 against 26.2
// CPU s on PGlite, far outside the 10% allowed. Rows without a quote take a fast path (one split on commas).
import { createReadStream, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { ValidationError } from '../errors.ts';

export interface CsvRecord {
  /** 1-based line number in the file where the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

/** The file's size in bytes; a missing or unreadable file is a ValidationError naming it. */
export function inputSize(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ValidationError(`${path} is not a file`);
    return stat.size;
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Opens a file as a byte stream, gunzipping when its name ends in `.gz`. `onRead` hears the bytes
 * read from disk so far (compressed bytes for .gz), for progress against the file size.
 */
export function openInput(path: string, onRead?: (bytes: number) => void): Readable {
  const file = createReadStream(path);
  if (!onRead && !path.endsWith('.gz')) return file;
  // 64 KiB pieces, as a plain file gives (zlib's default is 16 KiB): a quarter of the stream events and
  // pieces; reading Online Retail took 0.68-0.77 CPU s against 0.83-0.97 (3 alternating runs, load 5.5-6)
  const out = path.endsWith('.gz') ? createGunzip({ chunkSize: 1 << 16 }) : new PassThrough();
  // pipe() does not forward errors: a missing file must fail the reader, not leave it waiting.
  file.on('error', (err) => out.destroy(err));
  // Listening to 'data' is safe here because the piped stream is flowing anyway.
  if (onRead) file.on('data', () => onRead(file.bytesRead));
  return file.pipe(out);
}

/**
 * Yields the header and then every record of a CSV stream. Fails with a ValidationError (and the
 * line number) on an unterminated quote or on bytes that are not text.
 */
export async function* readCsv(input: Readable): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(input)) yield* batch;
}

/**
 * The records of a CSV stream (the header first), as arrays of those complete in each piece read:
 * a bulk reader pays one await per piece instead of one per record (a profile of the Online Retail
 * import had 0.29 s in the per-record generator and 0.21 s in microtasks: bench/import/README.md).
 * Fails as readCsv does.
 */
export async function* readCsvBatches(input: Readable): AsyncGenerator<CsvRecord[]> {
  try {
    yield* parseCsv(input);
  } catch (err) {
    // zlib's codes (Z_DATA_ERROR, ...) mean a .gz name on bytes that are not gzip.
    if (typeof (err as { code?: unknown }).code === 'string' && (err as { code: string }).code.startsWith('Z_')) {
      throw new ValidationError(`input is not valid gzip data (${(err as Error).message})`);
    }
    throw err;
  }
}

async function* parseCsv(input: Readable): AsyncGenerator<CsvRecord[]> {
  let pending = '';
  let line = 0;
  let recordStart = 1;
  let partial: string[] | undefined;
  let inQuotes = false;
  let field = '';
  for await (const chunk of input) {
    const text = pending + (typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'));
    if (line === 0 && text.includes('\u0000')) throw new ValidationError('input is not a CSV text file (binary data found)');
    const batch: CsvRecord[] = [];
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      let row = text.slice(start, nl);
      start = nl + 1;
      line++;
      if (row.endsWith('\r')) row = row.slice(0, -1);
      if (!partial && !row.includes('"')) {
        if (row.length > 0) batch.push({ line, fields: row.split(',') });
        recordStart = line + 1;
        continue;
      }
      partial ??= [];
      if (inQuotes) field += '\n';
      inQuotes = parseQuoted(row, partial, inQuotes, field, (f) => (field = f));
      if (!inQuotes) {
        batch.push({ line: recordStart, fields: partial });
        partial = undefined;
        field = '';
        recordStart = line + 1;
      }
    }
    pending = text.slice(start);
    if (batch.length > 0) yield batch;
  }
  if (pending.length > 0 || partial) {
    line++;
    const row = pending.endsWith('\r') ? pending.slice(0, -1) : pending;
    if (!partial && !row.includes('"')) {
      if (row.length > 0) yield [{ line, fields: row.split(',') }];
      return;
    }
    partial ??= [];
    if (inQuotes) field += '\n';
    if (parseQuoted(row, partial, inQuotes, field, (f) => (field = f))) {
      throw new ValidationError(`line ${recordStart}: unterminated quoted field`);
    }
    yield [{ line: recordStart, fields: partial }];
  }
}

/** Parses one physical line into `out`; returns whether a quoted field is still open at its end. */
function parseQuoted(row: string, out: string[], inQuotes: boolean, field: string, keep: (f: string) => void): boolean {
  let i = 0;
  while (i <= row.length) {
    if (inQuotes) {
      const q = row.indexOf('"', i);
      if (q === -1) {
        keep(field + row.slice(i));
        return true;
      }
      field += row.slice(i, q);
      if (row[q + 1] === '"') {
        field += '"';
        i = q + 2;
      } else {
        inQuotes = false;
        i = q + 1;
      }
      continue;
    }
    const c = row[i];
    if (c === '"' && field === '') {
      inQuotes = true;
      i++;
    } else if (c === ',' || i === row.length) {
      out.push(field);
      field = '';
      i++;
    } else {
      const next = row.indexOf(',', i);
      const end = next === -1 ? row.length : next;
      field += row.slice(i, end);
      i = end;
    }
  }
  keep('');
  return false;
}

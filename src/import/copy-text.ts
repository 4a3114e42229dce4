// PostgreSQL COPY text format: one row per line, tab between columns, \N for null. Rows are
// gathered into chunks so a bulk load sends few, large COPY statements.

/** One value as COPY text: escapes the characters COPY gives meaning to. */
function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Collects rows of COPY text and hands them out in chunks of `chunkRows`, as UTF-8 bytes. Each row
 * goes straight into the chunk's buffer, so no row outlives its own line of code: a bulk import
 * of millions of rows left its rows' strings to the old generation before (they survived young
 * collections waiting in an array for the chunk to fill), which grew peak RSS past 300 MB on 5M lines.
 */
export class CopyChunker {
  private buffer = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private rows = 0;

  constructor(private readonly chunkRows: number) {}

  get full(): boolean {
    return this.rows >= this.chunkRows;
  }

  get size(): number {
    return this.rows;
  }

  add(values: readonly (string | number | boolean | null | undefined)[]): void {
    // a loop rather than map/join: a bulk import adds hundreds of thousands of rows
    let line = copyValue(values[0]);
    for (let i = 1; i < values.length; i++) line += `\t${copyValue(values[i])}`;
    this.addLine(`${line}\n`);
  }

  /** One row already written as COPY text (values escaped, tab-separated, ending in a newline). */
  private addLine(line: string): void {
    const most = line.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    if (this.used + most > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + most));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    this.used += this.buffer.write(line, this.used);
    this.rows++;
  }

  /** The pending rows as one COPY text block (empty when none), and a fresh start. */
  take(): Uint8Array {
    const text = this.buffer.subarray(0, this.used);
    // the block is the caller's now (it may still be on its way to the server): a new buffer, as large
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.used = 0;
    this.rows = 0;
    return text;
  }
}

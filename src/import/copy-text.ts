// PostgreSQL COPY text format: one row per line, tab between columns, \N for null. Rows are
// gathered into chunks so a bulk load sends few, large COPY statements.

/** One value as COPY text: escapes the characters COPY gives meaning to. */
export function copyValue(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value !== 'string') return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Collects rows of COPY text and hands them out in chunks of `chunkRows`. */
export class CopyChunker {
  private lines: string[] = [];

  constructor(private readonly chunkRows: number) {}

  get full(): boolean {
    return this.lines.length >= this.chunkRows;
  }

  get size(): number {
    return this.lines.length;
  }

  add(values: readonly (string | number | boolean | null | undefined)[]): void {
    // a loop rather than map/join: a bulk import adds hundreds of thousands of rows
    let line = copyValue(values[0]);
    for (let i = 1; i < values.length; i++) line += `\t${copyValue(values[i])}`;
    this.lines.push(line);
  }

  /** The pending rows as one COPY text block (empty string when none), and a fresh start. */
  take(): string {
    const text = this.lines.length > 0 ? `${this.lines.join('\n')}\n` : '';
    this.lines = [];
    return text;
  }
}

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openInput, readCsv } from '../../src/import/csv.ts';

async function parse(text: string | string[]) {
  const chunks = Array.isArray(text) ? text : [text];
  const out = [];
  for await (const r of readCsv(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(r);
  return out;
}

describe('readCsv', () => {
  it('splits plain lines and numbers them from the header', async () => {
    expect(await parse('a,b\n1,2\r\n3,4')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', '2'] },
      { line: 3, fields: ['3', '4'] },
    ]);
  });

  it('handles quotes, escaped quotes, empty fields and newlines inside quotes across chunks', async () => {
    const rows = await parse(['h1,h2,h3\n"x, ""y""",,"multi\nli', 'ne"\nlast,"",z\n']);
    expect(rows).toEqual([
      { line: 1, fields: ['h1', 'h2', 'h3'] },
      { line: 2, fields: ['x, "y"', '', 'multi\nline'] },
      { line: 4, fields: ['last', '', 'z'] },
    ]);
  });

  it('rejects an unterminated quote with its line number', async () => {
    await expect(parse('a\n"open\nstill open')).rejects.toThrow(/line 2: unterminated/);
  });

  it('reads the gzipped Online Retail file completely', async () => {
    let n = 0;
    let header: string[] = [];
    for await (const r of readCsv(openInput('data/online-retail/online_retail_lines.csv.gz'))) {
      if (n === 0) header = r.fields;
      n++;
    }
    expect(header).toEqual(['InvoiceNo', 'StockCode', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID']);
    expect(n - 1).toBe(541_909);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';

// `retain import` end to end, in process, on an embedded database in a temporary directory.
describe('retain import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'retain-cli-'));
  const saved = { ...process.env };
  let out = '';
  beforeAll(() => {
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DIR = join(dir, 'db');
    process.env.LOG_LEVEL = 'silent';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
  });
  afterAll(() => {
    vi.restoreAllMocks();
    process.env = saved;
  });

  it('imports a file, prints the summary and writes the rejects file', async () => {
    const file = join(dir, 'p.csv');
    writeFileSync(file, 'customer_id,order_id,item_id,quantity,unit_price,occurred_at\nc1,o1,i1,1,2,2011-01-01\nc1,o1,i1,1,2,2011-01-01\n,o2,i1,1,2,2011-01-01\n');
    const rejects = join(dir, 'rejects.csv');
    out = '';
    expect(await main(['import', 'purchases', file, '--rejects', rejects])).toBe(0);
    expect(out).toMatch(/imported\s+2 purchase lines, 0 cancellation lines/);
    expect(out).toMatch(/rejected\s+1 lines/);
    expect(out).toMatch(/dashboard\s+summaries counted in [\d.]+ s \(customers 1, retention months 0\)/);
    expect(out).toContain('line 4: customer_id is missing');
    expect(readFileSync(rejects, 'utf8').split('\n')[1]).toBe('4,customer_id is missing,",o2,i1,1,2,2011-01-01"');

    out = '';
    expect(await main(['import', 'purchases', file])).toBe(0);
    expect(out).toMatch(/duplicates\s+2 lines already stored/);
  });

  it('prints the summary as one JSON object with --json', async () => {
    const file = join(dir, 'j.csv');
    writeFileSync(file, 'customer_id,order_id,item_id,quantity,unit_price,occurred_at\nc9,j1,i1,3,2,2011-01-01\nc9,j2,i1,-1,2,2011-01-02\nc9,j3,i1,x,2,2011-01-02\n');
    out = '';
    expect(await main(['import', 'purchases', file, '--json'])).toBe(0);
    const summary = JSON.parse(out) as Record<string, unknown>;
    expect(summary).toMatchObject({ kind: 'purchases', file, read: 3, purchases: 1, cancellations: 1, rejected: 1, duplicates: 0, newCustomers: 1, newItems: 0 });
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.rejectSamples).toEqual([{ line: 4, reason: 'quantity is not a number; quantity must be a non-zero integer', fields: ['c9', 'j3', 'i1', 'x', '2', '2011-01-02'] }]);

    const items = join(dir, 'items.csv');
    writeFileSync(items, 'item_id,title\nZ1,Mug\n');
    out = '';
    expect(await main(['import', 'items', items, '--json'])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ kind: 'items', read: 1, inserted: 1, rejected: 0 });
  });

  it('refuses an unknown format and a wrong file with a clear message', async () => {
    await expect(main(['import', 'items', join(dir, 'p.csv'), '--format', 'online-retail'])).rejects.toThrow(/--format must be one of canonical, online-retail-descriptions/);
    const catalog = join(dir, 'catalog.csv');
    writeFileSync(catalog, 'sku,title\nA1,Mug\n');
    await expect(main(['import', 'items', catalog])).rejects.toThrow(/not a canonical items file: missing column item_id/);
  });
});

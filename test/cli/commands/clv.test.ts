import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'retain-clv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `retain ...` in-process; returns the exit code and what went to stdout. */
async function retain(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), out };
  } finally {
    spy.mockRestore();
  }
}

const sig4 = (actual: number, expected: number): void => expect(Math.abs(actual / expected - 1)).toBeLessThan(5e-4);

describe('retain clv fit', () => {
  it('fits BG/NBD on a lifetimes-style summary (frequency,recency,T) and prints JSON', async () => {
    const { code, out } = await retain('clv', 'fit', '--summary', 'data/cdnow/cdnow_customers_summary.csv', '--unit', 'weeks', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.customers).toBe(2357);
    expect(report.unit).toBe('weeks');
    sig4(report.bgNbd.params.r, 0.2425929);
    sig4(report.bgNbd.params.alpha, 4.4135323);
    sig4(report.bgNbd.params.a, 0.792886);
    sig4(report.bgNbd.params.b, 2.4257524);
    expect(report.bgNbd.logLikelihood).toBeCloseTo(-9582.4256, 3);
    expect(report.bgNbd.converged).toBe(true);
    expect(report.bgNbd.diagnostics.boundary).toEqual([]);
    expect(report.gammaGamma).toBeUndefined();
  });

  it('adds Gamma-Gamma for a CDNOW-style summary with spend (x,t_x,T,zbar), Pareto/NBD on request, and prints a table', async () => {
    const { code, out } = await retain('clv', 'fit', '--summary', 'data/cdnow/cdnow_customers_summary_with_transactions.csv', '--unit', 'weeks', '--pareto');
    expect(code).toBe(0);
    expect(out).toMatch(/BG\/NBD/);
    expect(out).toMatch(/r\s+0\.24259/);
    expect(out).toMatch(/Gamma-Gamma/);
    expect(out).toMatch(/p\s+6\.2488/);
    expect(out).toMatch(/log-likelihood\s+-4055\.923/);
    expect(out).toMatch(/customers\s+946/);
    expect(out).toMatch(/Pareto\/NBD/);
    expect(out).toMatch(/log-likelihood\s+-9594\.97/);
  });

  it('summarises a transaction list at a cutoff (CDNOW sample, calibration to 1997-09-30)', async () => {
    // Hardie's raw file: customer, id2, YYYYMMDD, CDs, dollars.
    const rows = readFileSync('data/cdnow/CDNOW_sample.txt', 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
    const csv = ['customer_id,date,value', ...rows.map(([c, , d, , v]) => `${c},${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6)},${v}`)];
    const file = join(dir, 'cdnow.csv');
    writeFileSync(file, `${csv.join('\n')}\n`);
    const { code, out } = await retain('clv', 'fit', '--transactions', file, '--cutoff', '1997-10-01', '--unit', 'weeks', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.customers).toBe(2357);
    // T runs to the cutoff (one day longer than Hardie's 38.86 weeks), so the fit is close to, not equal to, the summary file's.
    expect(report.bgNbd.params.r).toBeCloseTo(0.2426, 2);
    expect(report.bgNbd.params.a).toBeCloseTo(0.793, 1);
    expect(report.gammaGamma.diagnostics.customers).toBe(946);
    expect(report.gammaGamma.params.p).toBeCloseTo(6.2488, 2);
  });

  it('fits order lines with --format and reports the dropout boundary of BG/NBD and Pareto/NBD on Online Retail', async () => {
    const { code, out } = await retain(
      'clv', 'fit', '--transactions', 'data/online-retail/online_retail_lines.csv.gz', '--format', 'online-retail', '--cutoff', '2011-09-09', '--json', '--pareto',
    );
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.customers).toBe(3362);
    expect(report.bgNbd.diagnostics.boundary).toContain('dropout→0');
    expect(report.bgNbd.logLikelihood).toBeGreaterThan(-37181.33);
    // Pareto/NBD runs to the same no-dropout limit (the NBD model), with the same likelihood.
    expect(report.paretoNbd.diagnostics.boundary).toContain('dropout→0');
    expect(report.paretoNbd.logLikelihood).toBeCloseTo(report.bgNbd.logLikelihood, 1);
    sig4(report.gammaGamma.params.p, 2.3258);
    sig4(report.gammaGamma.params.v, 417.26);
  });

  it('fails with a clear message on bad input', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'frequency,recency,T\n1,5,10\n2,-3,10\n');
    await expect(retain('clv', 'fit', '--summary', bad)).rejects.toThrow(/customer 1: negative recency -3/);
    writeFileSync(bad, 'frequency,T\n1,10\n');
    await expect(retain('clv', 'fit', '--summary', bad)).rejects.toThrow(/missing column\(s\) recency/);
    writeFileSync(bad, 'frequency,recency,T\n1,abc,10\n');
    await expect(retain('clv', 'fit', '--summary', bad)).rejects.toThrow(/line 2: recency is not a number/);
    await expect(retain('clv', 'fit', '--transactions', bad)).rejects.toThrow(/needs --cutoff/);
    await expect(retain('clv', 'fit', '--summary', bad, '--unit', 'months')).rejects.toThrow(/--unit must be one of days, weeks, got 'months'/);
    const neither = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect((await retain('clv', 'fit')).code).toBe(2);
    } finally {
      neither.mockRestore();
    }
  });
});

// `retain train churn --report`: the backtest written as one self-contained HTML file beside the
// printed report, from the same manifest.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'retain-train-churn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('retain train churn --report', () => {
  it('writes the backtest as a self-contained HTML file with its charts', async () => {
    vi.stubEnv('MODELS_DIR', join(dir, 'models'));
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    const report = join(dir, 'churn.html');
    let code: number;
    try {
      code = await main(['train', 'churn', '--file', 'data/online-retail/online_retail_lines.csv.gz', '--format', 'online-retail', '--cutoff', '2011-09-09', '--horizon-days', '92', '--windows', '2', '--seeds', '1', '--hidden', '0', '--report', report]);
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(code).toBe(0);
    const [version] = readdirSync(join(dir, 'models', 'churn')).filter((name) => name !== 'CURRENT');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain(`Churn model ${version}`);
    // the printed report and the HTML describe the same backtest: its customer count appears in both
    const customers = /holdout to \d{4}-\d{2}-\d{2}: (\d+) customers/.exec(out)?.[1];
    expect(customers).toBe('3362');
    expect(html.replace(/,/g, '')).toContain('3362');
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3);
    // opens by double-click: nothing is fetched from anywhere
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']https?:|url\(["']?https?:/);
  });
});

import { describe, expect, it } from 'vitest';
import { renderChurnReportHtml } from '../../../src/api/dashboard/churn-report.ts';
import type { Manifest } from '../../../src/artifacts/manifest.ts';
import { averagePrecision, brierScore, calibrationTable, liftAt, rocAuc } from '../../../src/ml/metrics/classification.ts';
import { scoreCurves } from '../../../src/ml/metrics/curves.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

function manifest(metrics: Record<string, unknown>): Manifest {
  return { kind: 'churn', schemaVersion: 1, version: '20260101T000000000Z', createdAt: '2026-01-01T00:00:00.000Z', params: {}, dataWindow: { from: '2011-03-01T00:00:00.000Z', to: '2011-09-09T00:00:00.000Z' }, metrics, files: {} };
}

describe('renderChurnReportHtml', () => {
  it('writes one self-contained file with the four backtest charts drawn from the manifest', async () => {
    const rng = createRng(5);
    const n = 1500;
    const y = new Uint8Array(n);
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      p[i] = rng.next();
      y[i] = rng.next() < p[i]! ? 1 : 0;
    }
    const row = (score: string) => ({ score, rocAuc: rocAuc(y, p), prAuc: averagePrecision(y, p), brier: brierScore(y, p), liftTopDecile: liftAt(y, p, 0.1) });
    const backtest = {
      cutoff: '2011-09-09T00:00:00.000Z', holdoutEnd: '2011-12-10T00:00:00.000Z', customers: n, churnRate: y.reduce((s, v) => s + v, 0) / n,
      comparison: [{ ...row('recency (days since last order)'), brier: null }, row('retain churn classifier')],
      calibration: calibrationTable(y, p, 10),
      curves: scoreCurves(y, p, 40),
    };
    const html = await renderChurnReportHtml(manifest({ validation: { customers: 300, rocAuc: 0.71, prAuc: 0.6, brier: 0.2 }, backtest }));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const charts = [...html.matchAll(/data-chart="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(charts).toEqual([['roc', 40], ['calibration', 10], ['gains', 40], ['comparison', 2]]);
    expect(html).toContain(`${n.toLocaleString('en-GB')} customers`);
    expect(html).toContain(rocAuc(y, p).toFixed(4));
    // nothing to fetch: no scripts, no external style sheets, images or links
    expect(html).not.toMatch(/<script|<link[^>]+stylesheet|<img|src="http|href="http/i);
  });

  it('says so when the model has no backtest', async () => {
    const html = await renderChurnReportHtml(manifest({}));
    expect(html).toContain('No backtest');
    expect(html).not.toContain('data-chart=');
  });
});

// The churn backtest as one self-contained HTML file (styles and SVG charts inlined, no script,
// no network), for `retain train churn --report FILE.html`: the same charts as /dashboard/models.
import { html, raw } from 'hono/html';
import type { Manifest } from '../../artifacts/manifest.ts';
import { churnBacktestOf, churnValidationOf } from '../../services/model-reports.ts';
import { loadCharts } from './charts.ts';
import { backtestSection } from './churn-charts.ts';
import { fmt } from './format.ts';
import { STYLE } from './layout.ts';

export async function renderChurnReportHtml(manifest: Manifest): Promise<string> {
  await loadCharts();
  const backtest = churnBacktestOf(manifest.metrics);
  const validation = churnValidationOf(manifest.metrics);
  const doc = html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Churn model ${manifest.version} · retain</title>
<style>${raw(STYLE)}</style></head>
<body><main>
<h1>Churn model ${manifest.version}</h1>
<p class="muted">Trained ${fmt.day(manifest.createdAt)} on data from ${fmt.day(manifest.dataWindow.from)} to ${fmt.day(manifest.dataWindow.to)}.
${validation ? `Validation slice: ${fmt.int(validation.customers)} customers, ROC AUC ${fmt.num(validation.rocAuc, 4)}, PR AUC ${fmt.num(validation.prAuc, 4)}, Brier ${fmt.num(validation.brier, 4)}.` : ''}</p>
${backtest ? backtestSection(backtest) : html`<p class="empty">No backtest: the model was trained up to the end of the data. Pass --cutoff earlier than the data end to get one.</p>`}
</main></body></html>`;
  return (await doc).toString();
}

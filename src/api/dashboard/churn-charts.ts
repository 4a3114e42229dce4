// The churn backtest as charts, shared by /dashboard/models and the offline report: ROC curve,
// reliability diagram, cumulative gains with lift, and the comparison with the reference scores.
import { html } from 'hono/html';
import type { ChurnBacktestReport } from '../../services/model-reports.ts';
import { COLORS, renderChart } from './charts.ts';
import { fmt } from './format.ts';
import { chartPanel, type Html } from './layout.ts';

const SQUARE = { width: 440, height: 400 };
const diagonal = { type: 'line', data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: { type: 'dashed', color: COLORS.muted }, name: 'random' };
const unitAxis = (name: string) => ({ type: 'value', min: 0, max: 1, name, nameLocation: 'middle', nameGap: 28 });
const r3 = (v: number) => Math.round(v * 1000) / 1000;

export function backtestSection(b: ChurnBacktestReport): Html {
  const classifier = b.comparison[b.comparison.length - 1];
  return html`<p>Scored at ${fmt.day(b.cutoff)}, outcome observed to ${fmt.day(b.holdoutEnd)}: ${fmt.int(b.customers)} customers, churn rate ${fmt.share(b.churnRate)}.
      ${classifier ? html`Classifier ROC AUC ${fmt.num(classifier.rocAuc, 4)}, PR AUC ${fmt.num(classifier.prAuc, 4)}, Brier ${fmt.num(classifier.brier, 4)}.` : ''}</p>
    <div class="grid2">
      ${chartPanel('ROC curve', rocChart(b), b.curves ? undefined : 'This model was trained before curve points were stored: retrain to see it.')}
      ${chartPanel('Calibration (reliability)', calibrationChart(b), 'Mean predicted churn probability against the observed churn rate per bin; the diagonal is perfect calibration.')}
      ${chartPanel('Cumulative gains and lift', gainsChart(b), 'Share of all churners reached by contacting the top-scored share of customers; lift = gains / share contacted.')}
      ${chartPanel('Against the reference scores', comparisonChart(b))}
    </div>
    <div class="table-wrap spaced"><table id="comparison">
      <thead><tr><th>score</th><th class="num">ROC AUC</th><th class="num">PR AUC</th><th class="num">Brier</th><th class="num">lift, top decile</th></tr></thead>
      <tbody>${b.comparison.map((c) => html`<tr><td>${c.score}</td><td class="num">${fmt.num(c.rocAuc, 4)}</td><td class="num">${fmt.num(c.prAuc, 4)}</td><td class="num">${fmt.num(c.brier, 4)}</td><td class="num">${fmt.num(c.liftTopDecile, 3)}</td></tr>`)}</tbody>
    </table></div>
    <div class="table-wrap spaced"><table id="calibration">
      <thead><tr><th>predicted</th><th class="num">customers</th><th class="num">mean predicted</th><th class="num">observed</th></tr></thead>
      <tbody>${b.calibration.map((c) => html`<tr><td>[${c.lower.toFixed(1)}, ${c.upper.toFixed(1)})</td><td class="num">${fmt.int(c.count)}</td><td class="num">${fmt.num(c.meanPredicted, 3)}</td><td class="num">${fmt.num(c.observedRate, 3)}</td></tr>`)}</tbody>
    </table></div>`;
}

function rocChart(b: ChurnBacktestReport): string {
  const roc = b.curves?.roc;
  const points = roc ? roc.fpr.map((x, k) => [r3(x), r3(roc.tpr[k]!)]) : [];
  return renderChart(
    'roc',
    {
      grid: { left: 52, right: 20, top: 20, bottom: 48 },
      xAxis: unitAxis('false-positive rate'),
      yAxis: unitAxis('true-positive rate'),
      series: [{ type: 'line', name: 'classifier', data: points, showSymbol: false, areaStyle: { opacity: 0.08 } }, diagonal],
    },
    points.length,
    SQUARE,
  );
}

function calibrationChart(b: ChurnBacktestReport): string {
  const points = b.calibration.map((c) => [r3(c.meanPredicted), r3(c.observedRate), c.count]);
  const most = Math.max(1, ...b.calibration.map((c) => c.count));
  return renderChart(
    'calibration',
    {
      grid: { left: 52, right: 20, top: 20, bottom: 48 },
      xAxis: unitAxis('mean predicted probability'),
      yAxis: unitAxis('observed churn rate'),
      series: [
        { type: 'line', name: 'classifier', data: points, symbolSize: (v: number[]) => 6 + 14 * Math.sqrt(v[2]! / most) },
        diagonal,
      ],
    },
    points.length,
    SQUARE,
  );
}

function gainsChart(b: ChurnBacktestReport): string {
  const g = b.curves?.gains;
  const gains = g ? g.targeted.map((x, k) => [r3(x), r3(g.captured[k]!)]) : [];
  const lift = g ? g.targeted.flatMap((x, k) => (x > 0 ? [[r3(x), r3(g.captured[k]! / x)]] : [])) : [];
  return renderChart(
    'gains',
    {
      // the legend below the plot: above it, it would sit on the two axis names
      legend: { bottom: 0, itemGap: 24 },
      grid: { left: 52, right: 48, top: 32, bottom: 76 },
      xAxis: unitAxis('share of customers contacted'),
      yAxis: [
        { type: 'value', min: 0, max: 1, name: 'share of churners' },
        { type: 'value', min: 0, name: 'lift', splitLine: { show: false } },
      ],
      series: [
        { type: 'line', name: 'gains', data: gains, showSymbol: false },
        { type: 'line', name: 'lift', yAxisIndex: 1, data: lift, showSymbol: false, lineStyle: { color: COLORS.secondary } },
        { ...diagonal, name: 'random' },
      ],
    },
    gains.length,
    SQUARE,
  );
}

function comparisonChart(b: ChurnBacktestReport): string {
  const rows = [...b.comparison].reverse();
  return renderChart(
    'comparison',
    {
      legend: { top: 0 },
      grid: { left: 190, right: 44, top: 32, bottom: 32 },
      xAxis: { type: 'value', min: 0, max: 1 },
      yAxis: { type: 'category', data: rows.map((c) => c.score), axisLabel: { width: 180, overflow: 'break', fontSize: 11 } },
      series: [
        { type: 'bar', name: 'ROC AUC', data: rows.map((c) => r3(c.rocAuc)), label: { show: true, position: 'right', fontSize: 10 } },
        { type: 'bar', name: 'PR AUC', data: rows.map((c) => r3(c.prAuc)) },
      ],
    },
    rows.length,
    { width: 440, height: 100 + rows.length * 50 },
  );
}

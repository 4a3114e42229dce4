// /dashboard/segments: RFM segment sizes and value, and how churn probability is spread inside
// each segment; every segment links to its win-back list.
import { html } from 'hono/html';
import type { SegmentsView } from '../../../services/dashboard-insights.ts';
import { cachedChart, renderChart } from '../charts.ts';
import { fmt } from '../format.ts';
import { chartPanel, page, type Html, type Viewer } from '../layout.ts';

export function segmentsPage(viewer: Viewer, v: SegmentsView): Html {
  const rows = v.segments;
  return page(
    'Segments',
    'segments',
    viewer,
    html`${chartPanel('Customers and value per segment', sizeChart(v), 'Bars: customers (left axis). Line: predicted CLV and value at risk (right axis), shop currency.')}
      ${chartPanel('Churn probability per segment', spreadChart(v), 'Box: lower quartile, median, upper quartile; whiskers: min and max.')}
      <section class="panel table-wrap">
        <table>
          <thead><tr><th>segment</th><th class="num">customers</th><th class="num">predicted CLV</th><th class="num">value at risk</th><th class="num">mean churn probability</th><th class="num">median</th><th></th></tr></thead>
          <tbody>
            ${rows.map(
              (s) => html`<tr>
                <td>${s.segment}</td><td class="num">${fmt.int(s.customers)}</td><td class="num">${fmt.money(s.predictedClv)}</td>
                <td class="num">${fmt.money(s.valueAtRisk)}</td><td class="num">${fmt.share(s.meanChurnProbability)}</td>
                <td class="num">${s.spread ? fmt.share(s.spread[2]) : '—'}</td>
                <td><a href="/dashboard/at-risk?segment=${encodeURIComponent(s.segment)}">win-back list</a></td></tr>`,
            )}
          </tbody>
        </table>
      </section>`,
  );
}

const sizeChart = cachedChart((v: SegmentsView): string => {
  const s = v.segments;
  return renderChart(
    'segment-sizes',
    {
      legend: { top: 4, itemGap: 24 },
      grid: { left: 60, right: 72, top: 44, bottom: 64 },
      xAxis: { type: 'category', data: s.map((x) => x.segment), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [{ type: 'value', name: 'customers' }, { type: 'value', name: 'value', splitLine: { show: false } }],
      series: [
        { name: 'customers', type: 'bar', data: s.map((x) => x.customers), label: { show: true, position: 'top', fontSize: 10 } },
        { name: 'predicted CLV', type: 'line', yAxisIndex: 1, data: s.map((x) => Math.round(x.predictedClv)) },
        { name: 'value at risk', type: 'line', yAxisIndex: 1, data: s.map((x) => Math.round(x.valueAtRisk)), lineStyle: { type: 'dashed' } },
      ],
    },
    s.length,
  );
});

const spreadChart = cachedChart((v: SegmentsView): string => {
  const s = v.segments.filter((x) => x.spread);
  return renderChart(
    'churn-by-segment',
    {
      grid: { left: 60, right: 24, top: 24, bottom: 64 },
      xAxis: { type: 'category', data: s.map((x) => x.segment), axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: 'value', name: 'churn probability', min: 0, max: 1 },
      series: [{ type: 'boxplot', data: s.map((x) => x.spread!.map((q) => Math.round(q * 1000) / 1000)) }],
    },
    s.length,
  );
});

// /dashboard: the shop at a glance: totals, value at risk, retention and churn rate per month,
// the cohort retention triangle and the risk tiers.
import { html } from 'hono/html';
import { monthLabel } from '../../../ml/customers/cohorts.ts';
import { LOOKBACK_DAYS, type Overview } from '../../../services/dashboard-insights.ts';
import { cachedChart, COLORS, renderChart } from '../charts.ts';
import { fmt } from '../format.ts';
import { card, chartPanel, page, type Html, type Viewer } from '../layout.ts';

export function overviewPage(viewer: Viewer, o: Overview): Html {
  const { totals } = o;
  const dataEnd = totals.lastPurchaseAt ? ` (orders to ${fmt.day(totals.lastPurchaseAt)})` : '';
  return page(
    'Overview',
    'overview',
    viewer,
    html`<div class="cards">
        ${card('Customers', fmt.int(totals.customers), `with at least one order${dataEnd}`)}
        ${card('Active customers', fmt.int(totals.activeCustomers), `ordered in the last ${LOOKBACK_DAYS} days of data`)}
        ${card('Revenue', fmt.money(totals.revenue), 'Σ quantity × unit price')}
        ${card('Value at risk', fmt.money(o.valueAtRisk), `churn probability × CLV, ${fmt.int(o.scoredCustomers)} scored customers`)}
      </div>
      <p class="note" id="counted">Purchases counted at ${o.countedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${o.updating ? '; newer purchases are being counted now (reload in a moment)' : ''}.</p>
      ${chartPanel(
        'Retention and churn rate per month',
        retentionChart(o.monthly),
        `Retention = ((E − N) / S) × 100, churn rate = lost / S × 100, as GET /v1/metrics/retention: a customer counts at a date when they ordered in the ${LOOKBACK_DAYS} days before it. Months whose look-back starts before the first order are left out.`,
      )}
      <div class="grid2">
        ${chartPanel('Cohort retention', cohortChart(o.cohorts), 'Share of each first-order month\'s customers who ordered again k months later.')}
        ${chartPanel('Risk tiers', tierChart(o.riskTiers), html`Scored customers by churn probability: high > 0.7, medium 0.4–0.7, low < 0.4. Lists: <a href="/dashboard/at-risk?tier=high">high</a> · <a href="/dashboard/at-risk?tier=medium">medium</a> · <a href="/dashboard/at-risk?tier=low">low</a>.`)}
      </div>`,
  );
}

const retentionChart = cachedChart((monthly: Overview['monthly']): string => {
  const months = monthly.map((m) => fmt.month(m.from));
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return renderChart(
    'retention',
    {
      legend: { top: 4, itemGap: 24 },
      grid: { left: 48, right: 20, top: 40, bottom: 56 },
      xAxis: { type: 'category', data: months, axisLabel: { rotate: months.length > 8 ? 40 : 0 } },
      // retention can pass 100: customers won back from before the look-back count in E − N
      yAxis: { type: 'value', name: '%', min: 0 },
      series: [
        { name: 'retention rate', type: 'line', data: monthly.map((m) => round(m.retentionRate)), symbolSize: 6, label: { show: months.length <= 14, position: 'top', fontSize: 10 } },
        { name: 'churn rate', type: 'line', data: monthly.map((m) => round(m.churnRate)), symbolSize: 6, lineStyle: { type: 'dashed' } },
      ],
    },
    monthly.length,
  );
});

const cohortChart = cachedChart((table: Overview['cohorts']): string => {
  const { cohorts, sizes, share } = table;
  const width = Math.max(0, ...share.map((row) => row.length));
  const cells: [number, number, number][] = [];
  let later = 0;
  share.forEach((row, y) =>
    row.forEach((v, x) => {
      cells.push([x, y, Math.round(v * 1000) / 10]);
      if (x > 0) later = Math.max(later, v * 100);
    }),
  );
  return renderChart(
    'cohorts',
    {
      grid: { left: 118, right: 16, top: 16, bottom: 84 },
      xAxis: { type: 'category', name: 'months since first order', nameLocation: 'middle', nameGap: 26, data: Array.from({ length: width }, (_, k) => String(k)), splitArea: { show: true } },
      yAxis: { type: 'category', inverse: true, data: cohorts.map((c, i) => `${monthLabel(c)} (${fmt.int(sizes[i]!)})`), splitArea: { show: true } },
      // month 0 is 100% by definition: the colour scale spans the later months
      visualMap: { min: 0, max: Math.max(1, Math.ceil(later)), calculable: false, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, text: ['%', ''], inRange: { color: ['#eff6ff', '#1d4ed8'] } },
      series: [{ type: 'heatmap', data: cells, label: { show: width <= 14, fontSize: 9, formatter: (p: { value: number[] }) => `${Math.round(p.value[2]!)}` } }],
    },
    cells.length,
    { width: 560, height: Math.max(260, 80 + cohorts.length * 22) },
  );
});

const tierChart = cachedChart((riskTiers: Overview['riskTiers']): string => {
  const tiers = ['high', 'medium', 'low'] as const;
  return renderChart(
    'risk-tiers',
    {
      grid: { left: 64, right: 24, top: 24, bottom: 36 },
      xAxis: { type: 'category', data: [...tiers] },
      yAxis: { type: 'value', name: 'customers' },
      series: [{ type: 'bar', barWidth: '50%', data: tiers.map((t) => ({ value: riskTiers[t], itemStyle: { color: COLORS[t] } })), label: { show: true, position: 'top' } }],
    },
    tiers.reduce((n, t) => n + (riskTiers[t] > 0 ? 1 : 0), 0),
    { width: 480, height: 300 },
  );
});

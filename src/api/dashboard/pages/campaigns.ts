// /dashboard/campaigns and /dashboard/campaigns/{id}: the campaigns, and one campaign's arms with
// their sizes, contacts, conversions, revenue and lift against the control, each with its 95%
// interval drawn as an interval bar per arm; close and the audience export (admin).
import { html } from 'hono/html';
import type { CampaignSummary } from '../../../services/campaigns.ts';
import type { CampaignArmView, CampaignView, Interval } from '../../../services/dashboard-campaigns.ts';
import { COLORS, renderChart } from '../charts.ts';
import { fmt } from '../format.ts';
import { card, chartPanel, csrfField, page, type Html, type Viewer } from '../layout.ts';

export function campaignsListPage(viewer: Viewer, campaigns: CampaignSummary[]): Html {
  return page(
    'Campaigns',
    'campaigns',
    viewer,
    html`${campaigns.length === 0
        ? html`<p class="empty" id="no-campaigns">No campaign yet. Create one from the <a href="/dashboard/at-risk">win-back list</a> (admin), or with POST /v1/campaigns.</p>`
        : html`<div class="table-wrap"><table id="campaigns">
          <thead><tr><th>campaign</th><th>status</th><th>started</th><th>audience</th><th class="num">members</th><th>arms</th></tr></thead>
          <tbody>${campaigns.map(
            (c) => html`<tr data-campaign="${c.id}">
              <td><a href="/dashboard/campaigns/${c.id}">${c.name}</a> <span class="muted">#${c.id}</span></td>
              <td>${c.status}</td><td>${fmt.day(c.startedAt)}</td><td>${audienceText(c)}</td>
              <td class="num">${fmt.int(Object.values(c.armMembers).reduce((s, n) => s + n, 0))}</td>
              <td>${c.arms.map((a) => `${a.name} ${fmt.share(a.fraction, 0)}`).join(' · ')}</td></tr>`,
          )}</tbody></table></div>`}
      <p class="note">Newest first. Arms are assigned at random within each risk tier; the arm with contact off is the control (holdout).</p>`,
  );
}

export function campaignPage(viewer: Viewer, v: CampaignView): Html {
  const c = v.campaign;
  const control = c.arms.find((a) => !a.contact);
  const members = v.arms.reduce((s, a) => s + a.members, 0);
  const contacted = v.arms.reduce((s, a) => s + a.contacted, 0);
  const purchasers = v.arms.reduce((s, a) => s + a.purchasers, 0);
  return page(
    `Campaign ${c.name}`,
    'campaigns',
    viewer,
    html`<p class="muted">#${c.id} · ${c.status}${c.closedAt ? ` on ${fmt.day(c.closedAt)}` : ''} · started ${fmt.day(c.startedAt)} · audience: ${audienceText(c)} · seed ${c.seed}</p>
      <div class="cards">
        ${card('Members', fmt.int(members), `${c.arms.length} arms; ${control ? `holdout: ${control.name}` : 'no holdout'}`)}
        ${card('Contacted', fmt.int(contacted), 'members in the contact log (audience exports)')}
        ${card('Converted', fmt.int(purchasers), `bought within ${v.window.days} days of the start`)}
        ${card('Revenue', fmt.money(v.arms.reduce((s, a) => s + a.revenue, 0)), `to ${fmt.day(v.window.to)}`)}
      </div>
      <form class="filters spaced" method="get" action="/dashboard/campaigns/${c.id}">
        <label>results window (days after the start) <input type="number" name="window_days" min="1" max="3650" value="${v.window.days}"></label>
        <button type="submit">Show</button>
      </form>
      <section class="panel table-wrap"><h2>Arms</h2>
        <table id="arms"><thead><tr><th>arm</th><th class="num">members</th><th class="num">contacted</th><th class="num">converted</th>
          <th class="num">conversion<br>(95% CI)</th><th class="num">orders</th><th class="num">attributed</th><th class="num">revenue<br>(per member)</th>
          <th class="num">lift, pp<br>(95% CI, p)</th><th class="num">incremental<br>revenue</th></tr></thead>
        <tbody>${v.arms.map((a) => armRow(v, a))}</tbody></table>
        <p class="note">Conversion: members who bought within the window, with its Wilson 95% interval. Lift: conversion difference against the control with Newcombe's hybrid score interval and the pooled z-test; revenue per member: Welch's t interval. Attributed: orders carrying the member's token or an item shown to them.</p>
      </section>
      ${chartPanel('Conversion rate per arm', conversionChart(v), 'Dot: conversion rate; bar: its 95% Wilson interval.')}
      ${control
        ? html`<div class="grid2">
            ${chartPanel('Lift in conversion against the control', liftChart(v, 'conversion'), 'Difference in conversion rate (percentage points), 95% Newcombe interval; left of 0: the control did better.')}
            ${chartPanel('Revenue per member against the control', liftChart(v, 'revenue'), 'Difference in revenue per member (shop currency), 95% Welch interval (drawn once both groups have two members or more).')}
          </div>`
        : html`<p class="note">This campaign has no control arm, so no lift can be measured.</p>`}
      ${viewer.canAdmin ? adminActions(viewer, v) : ''}`,
  );
}

function armRow(v: CampaignView, a: CampaignArmView): Html {
  const arm = v.campaign.arms.find((x) => x.name === a.name)!;
  const d = a.vsControl;
  const shown = arm.contact ? (arm.recommendations ? `${arm.recommendations.limit} ${arm.recommendations.strategy} items` : 'no items') : 'holdout';
  return html`<tr data-arm="${a.name}">
    <td class="arm">${a.name}<br><span class="muted">${fmt.share(arm.fraction, 0)} · ${shown}</span></td>
    <td class="num">${fmt.int(a.members)}</td><td class="num">${fmt.int(a.contacted)}</td><td class="num">${fmt.int(a.purchasers)}</td>
    <td class="num">${fmt.share(a.conversionRate)}<br><span class="muted">${intervalText(a.conversionCi, (x) => fmt.share(x))}</span></td>
    <td class="num">${fmt.int(a.orders)}</td><td class="num">${fmt.int(a.attributedOrders)}</td>
    <td class="num">${fmt.money(a.revenue)}<br><span class="muted">${fmt.money(a.revenuePerMember)}</span></td>
    <td class="num">${d ? html`${points(d.conversionDiff)}<br><span class="muted">${intervalText(d.conversionDiffCi, points)}</span>${Number.isFinite(d.pValue) ? html`<br><span class="muted">p ${fmt.num(d.pValue, 3)}</span>` : ''}` : '—'}</td>
    <td class="num">${d ? fmt.money(d.incrementalRevenue) : '—'}</td></tr>`;
}

function adminActions(viewer: Viewer, v: CampaignView): Html {
  const c = v.campaign;
  if (c.status === 'closed') return html`<section class="panel"><h2>Closed</h2><p class="note">Its audience can no longer be exported; the results stay readable.</p></section>`;
  return html`<section class="panel"><h2>Act</h2>
    <div class="pager">
      <form method="post" action="/dashboard/campaigns/${c.id}/audience.csv">${csrfField(viewer)}<button type="submit" id="audience-csv">Download the audience CSV</button></form>
      <form method="post" action="/dashboard/campaigns/${c.id}/close">${csrfField(viewer)}<button class="danger" type="submit" id="close-campaign">Close the campaign</button></form>
    </div>
    <p class="note">The audience CSV (as GET /v1/campaigns/${c.id}/audience) holds the contactable members with their token and items, never the control; downloading it records each member in the contact log once. Closing stops exports; results stay.</p>
  </section>`;
}

/** One interval bar per arm (a line between the bounds) with the estimate as a dot, arms top to bottom. */
function intervalChart(name: string, rows: { arm: string; estimate: number; ci: Interval }[], axis: string, zeroLine: boolean, width: number): string {
  const arms = rows.map((r) => r.arm);
  return renderChart(
    name,
    {
      grid: { left: 110, right: 28, top: 16, bottom: 48 },
      xAxis: { type: 'value', name: axis, nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'category', data: arms, inverse: true },
      series: [
        ...rows.map((r) => ({
          type: 'line',
          name: r.arm,
          data: [[r.ci[0], r.arm], [r.ci[1], r.arm]],
          symbol: 'rect',
          symbolSize: [2, 14],
          lineStyle: { width: 4, color: COLORS.primary, opacity: 0.55 },
          itemStyle: { color: COLORS.primary },
          ...(zeroLine ? { markLine: { silent: true, symbol: 'none', data: [{ xAxis: 0 }], lineStyle: { color: COLORS.muted, type: 'dashed' }, label: { show: false } } } : {}),
        })),
        { type: 'scatter', name: 'estimate', data: rows.map((r) => [r.estimate, r.arm]), symbolSize: 11, itemStyle: { color: COLORS.secondary }, label: { show: true, position: 'top', fontSize: 10, formatter: (p: { value: number[] }) => round(p.value[0]!) } },
      ],
    },
    rows.length,
    { width, height: 90 + rows.length * 46 },
  );
}

function conversionChart(v: CampaignView): string {
  const rows = v.arms.filter((a) => a.members > 0).map((a) => ({ arm: a.name, estimate: pct(a.conversionRate), ci: [pct(a.conversionCi[0]), pct(a.conversionCi[1])] as Interval }));
  return intervalChart('campaign-conversion', rows, 'conversion rate, %', false, 760);
}

function liftChart(v: CampaignView, measure: 'conversion' | 'revenue'): string {
  const rows = v.arms.flatMap((a) => {
    const d = a.vsControl;
    if (!d || a.members === 0) return [];
    if (measure === 'conversion') return [{ arm: a.name, estimate: pct(d.conversionDiff), ci: [pct(d.conversionDiffCi[0]), pct(d.conversionDiffCi[1])] as Interval }];
    return d.revenuePerMemberDiffCi ? [{ arm: a.name, estimate: d.revenuePerMemberDiff, ci: d.revenuePerMemberDiffCi }] : [];
  });
  return intervalChart(measure === 'conversion' ? 'campaign-lift' : 'campaign-revenue', rows, measure === 'conversion' ? 'percentage points' : 'revenue per member', true, 480);
}

function audienceText(c: CampaignSummary): string {
  const a = c.audience;
  if ('customerIds' in a) return `${fmt.int(a.customerIds.length)} listed customers`;
  const parts = [
    a.tiers ? `tier ${a.tiers.join(' or ')}` : '',
    a.segment ? `segment ${a.segment}` : '',
    a.minClv !== undefined ? `CLV ≥ ${a.minClv}` : '',
    a.minProbability !== undefined ? `churn probability ≥ ${a.minProbability}` : '',
    a.minDaysSinceOrder !== undefined ? `≥ ${a.minDaysSinceOrder} days since order` : '',
    a.maxDaysSinceOrder !== undefined ? `≤ ${a.maxDaysSinceOrder} days since order` : '',
    a.minOrders !== undefined ? `≥ ${a.minOrders} orders` : '',
    a.due ? 'past their usual gap between orders' : '',
    a.excludeContactedWithinDays !== undefined ? `not contacted in ${a.excludeContactedWithinDays} days` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'every scored customer';
}

const pct = (x: number) => Math.round(x * 1e4) / 100;
const round = (x: number) => String(Math.round(x * 100) / 100);
/** A difference of proportions in percentage points, signed. */
const points = (d: number) => `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)}`;
const intervalText = (ci: Interval, f: (x: number) => string) => `[${f(ci[0])}, ${f(ci[1])}]`;

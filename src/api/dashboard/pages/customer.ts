// /dashboard/customers and /dashboard/customers/{id}: a search box, and one customer's scores
// with their reasons, orders over time, P(alive) over time, recommendations with their "because
// you bought", similar items, and (admin) erasure.
import { html } from 'hono/html';
import { DAY_MS } from '../../../ml/customers/purchase-log.ts';
import type { CustomerView } from '../../../services/dashboard-customers.ts';
import { COLORS, renderChart } from '../charts.ts';
import { fmt } from '../format.ts';
import { card, chartPanel, csrfField, page, tierBadge, type Html, type Viewer } from '../layout.ts';

export function searchBox(value = ''): Html {
  return html`<form class="filters" method="get" action="/dashboard/customers">
    <label>customer id <input type="search" name="id" value="${value}" required maxlength="200" autocomplete="off"></label>
    <button type="submit">Open</button>
  </form>`;
}

export function customerSearchPage(viewer: Viewer, query: string, message: string | null): Html {
  return page('Customers', 'customers', viewer, html`${searchBox(query)}${message ? html`<p class="error">${message}</p>` : ''}
    <p class="note">Or pick someone from the <a href="/dashboard/at-risk">win-back list</a>.</p>`);
}

export function customerPage(viewer: Viewer, v: CustomerView): Html {
  const s = v.profile.scores;
  const id = v.profile.customerId;
  return page(
    `Customer ${id}`,
    'customers',
    viewer,
    html`${searchBox()}
      ${v.profile.unsubscribed ? html`<p class="note">Unsubscribed: never on a win-back list.</p>` : ''}
      ${s
        ? html`<div class="cards" style="margin-top:.75rem">
            ${card('Churn probability', fmt.share(s.churnProbability), `risk tier ${s.riskTier}`)}
            ${card('P(alive)', fmt.share(s.pAlive), `BG/NBD; ${fmt.num(s.expectedPurchases, 2)} orders expected in the horizon`)}
            ${card('Predicted CLV', fmt.money(s.predictedClv), `value at risk ${fmt.money(s.valueAtRisk)}`)}
            ${card('Segment', s.segment, `R ${s.rScore} · F ${s.fScore} · M ${s.mScore}`)}
            ${card('Last order', `${fmt.int(s.recencyDays)} ${s.recencyDays === 1 ? 'day' : 'days'} ago`, `${fmt.int(s.frequency)} ${s.frequency === 1 ? 'order' : 'orders'}, mean ${fmt.money(s.monetary)}`)}
            ${card('Next order expected', fmt.day(s.expectedNextOrderAt), `scored ${fmt.day(s.scoredAt)} by ${s.modelVersion}`)}
          </div>
          <p>${tierBadge(s.riskTier)}</p>
          ${chartPanel('Why this churn score', reasonsChart(v), html`${s.reasons.map((r) => html`<span>${r.reason}: ${r.detail}. </span>`)}Effect: push on the churn logit (positive raises the score).`)}`
        : html`<p class="note">Not scored yet: run retain score churn.</p>`}
      <div class="grid2">
        ${chartPanel('Orders over time', ordersChart(v), `${fmt.int(v.orders.length)} orders, ${fmt.money(v.orders.reduce((t, o) => t + o.value, 0))} in total.`)}
        ${chartPanel('P(alive) over time', aliveChart(v), 'BG/NBD fitted on the whole shop: the probability that the customer is still active, after each day of their history (dots: orders).')}
      </div>
      <div class="grid2">
        <section class="panel"><h2>Recommendations</h2>${recommendations(v)}</section>
        <section class="panel"><h2>Similar items</h2>${similar(v)}</section>
      </div>
      <section class="panel table-wrap"><h2>Items bought</h2>
        <table><thead><tr><th>item</th><th class="num">units</th><th>last bought</th></tr></thead>
        <tbody>${v.items.slice(0, 20).map((i) => html`<tr><td>${i.title ?? i.itemId} <span class="muted">${i.itemId}</span></td><td class="num">${fmt.int(i.units)}</td><td>${fmt.day(i.lastAt)}</td></tr>`)}</tbody></table>
        ${v.items.length > 20 ? html`<p class="note">${fmt.int(v.items.length - 20)} more items.</p>` : ''}
      </section>
      ${viewer.canAdmin
        ? html`<section class="panel"><h2>Erase this customer</h2>
            <form method="post" action="/dashboard/customers/${encodeURIComponent(id)}/erase">${csrfField(viewer)}
              <label><input type="checkbox" name="confirm" value="yes" required> delete every purchase, event and score of ${id} (cannot be undone)</label>
              <p><button class="danger" type="submit">Erase</button></p>
            </form></section>`
        : ''}`,
  );
}

function reasonsChart(v: CustomerView): string {
  const reasons = [...(v.profile.scores?.reasons ?? [])].reverse();
  return renderChart(
    'reasons',
    {
      grid: { left: 120, right: 56, top: 16, bottom: 44 },
      xAxis: { type: 'value', name: 'effect on the churn logit', nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'category', data: reasons.map((r) => r.reason) },
      series: [{ type: 'bar', data: reasons.map((r) => ({ value: r.effect, itemStyle: { color: r.effect >= 0 ? COLORS.high : COLORS.low } })), label: { show: true, position: 'right' } }],
    },
    reasons.length,
    { width: 760, height: Math.max(150, 70 + reasons.length * 40) },
  );
}

function ordersChart(v: CustomerView): string {
  return renderChart(
    'orders',
    {
      grid: { left: 60, right: 20, top: 24, bottom: 40 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', name: 'order value' },
      series: [{ type: 'bar', barMaxWidth: 12, data: v.orders.map((o) => [o.at.getTime(), Math.round(o.value * 100) / 100]) }],
    },
    v.orders.length,
    { width: 560, height: 300 },
  );
}

function aliveChart(v: CustomerView): string {
  const a = v.alive;
  if (!a) return renderChart('p-alive', {}, 0);
  const orderDays = new Set(v.orders.map((o) => Math.floor(o.at.getTime() / DAY_MS)));
  const line = Array.from(a.day, (d, k) => [d * DAY_MS, Math.round(a.pAlive[k]! * 1e4) / 1e4]);
  const dots = line.filter(([t]) => orderDays.has(t! / DAY_MS - 1));
  return renderChart(
    'p-alive',
    {
      grid: { left: 48, right: 20, top: 24, bottom: 40 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', min: 0, max: 1, name: 'P(alive)' },
      series: [
        { type: 'line', showSymbol: false, data: line, step: 'end', areaStyle: { opacity: 0.08 } },
        { type: 'scatter', symbolSize: 6, data: dots, itemStyle: { color: COLORS.secondary } },
      ],
    },
    line.length,
    { width: 560, height: 300 },
  );
}

function recommendations(v: CustomerView): Html {
  const r = v.recommendations;
  if (!r) return html`<p class="empty">No recommender model is loaded.</p>`;
  return html`<p class="note">${r.source === 'fallback' ? 'Popular items (the model has no history for this customer).' : `Personalised by ${r.algorithm} model ${r.modelVersion}.`}</p>
    <ol id="recommendations">${r.items.map(
      (i) => html`<li>${i.title ?? i.itemId} <span class="muted">${i.itemId}</span>${i.because ? html`<br><span class="note">because they bought ${i.because.title ?? i.because.itemId}</span>` : ''}</li>`,
    )}</ol>`;
}

function similar(v: CustomerView): Html {
  if (!v.similar) return html`<p class="empty">No purchased item is known to the model.</p>`;
  return html`<p class="note">Like ${v.similar.basedOn.title ?? v.similar.basedOn.itemId}, their latest purchase:</p>
    <ol>${v.similar.items.map((i) => html`<li>${i.title ?? i.itemId} <span class="muted">${i.itemId}</span></li>`)}</ol>`;
}

// /dashboard/at-risk: the win-back list with its filters, keyset paging, each customer's top
// picks, and a CSV download of exactly the current filter (the API's CSV).
import { html } from 'hono/html';
import type { AtRiskPage } from '../../../services/churn-lists.ts';
import { fmt } from '../format.ts';
import { page, tierBadge, type Html, type Viewer } from '../layout.ts';

export interface AtRiskFilterForm {
  tier?: 'high' | 'medium' | 'low' | undefined;
  segment?: string | undefined;
  min_clv?: number | undefined;
  min_probability?: number | undefined;
}

/** The filter as a query string (no cursor), for links and the CSV download. */
export function filterQuery(f: AtRiskFilterForm): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function atRiskPage(viewer: Viewer, f: AtRiskFilterForm, segments: readonly string[], result: AtRiskPage, paged: boolean): Html {
  const query = filterQuery(f);
  const next = result.nextCursor ? `${query ? `${query}&` : '?'}cursor=${encodeURIComponent(result.nextCursor)}` : null;
  const selected = (a: unknown, b: unknown) => (a === b ? 'selected' : '');
  return page(
    'Win-back list',
    'at-risk',
    viewer,
    html`<form class="filters" method="get" action="/dashboard/at-risk" id="filters">
        <label>risk tier
          <select name="tier"><option value="">any</option>${(['high', 'medium', 'low'] as const).map((t) => html`<option value="${t}" ${selected(f.tier, t)}>${t}</option>`)}</select>
        </label>
        <label>segment
          <select name="segment"><option value="">any</option>${segments.map((s) => html`<option value="${s}" ${selected(f.segment, s)}>${s}</option>`)}</select>
        </label>
        <label>minimum CLV <input type="number" name="min_clv" step="any" min="0" value="${f.min_clv ?? ''}"></label>
        <label>minimum churn probability <input type="number" name="min_probability" step="0.05" min="0" max="1" value="${f.min_probability ?? ''}"></label>
        <!-- recency filters (days since the last order) join here once the service supports them -->
        <button type="submit">Apply</button>
        <a class="button secondary" href="/dashboard/at-risk">Reset</a>
        <a class="button secondary" href="/dashboard/at-risk.csv${query}" download>Download CSV</a>
      </form>
      <p class="note">Largest value at risk (churn probability × predicted CLV) first. Unsubscribed and erased customers never appear. Campaigns from this list: not available yet.</p>
      ${result.entries.length === 0
        ? html`<p class="empty">No customer matches this filter.</p>`
        : html`<div class="table-wrap"><table id="at-risk">
        <thead><tr><th>customer</th><th>tier</th><th class="num">churn probability</th><th class="num">predicted CLV</th><th class="num">value at risk</th><th class="num">days since order</th><th>segment</th><th>top picks</th></tr></thead>
        <tbody>
          ${result.entries.map(
            ({ row, recommendations }) => html`<tr data-customer="${row.externalId}">
              <td><a href="/dashboard/customers/${encodeURIComponent(row.externalId)}">${row.externalId}</a></td>
              <td>${tierBadge(row.riskTier)}</td>
              <td class="num">${fmt.share(row.churnProbability)}</td>
              <td class="num">${fmt.money(row.predictedClv)}</td>
              <td class="num">${fmt.money(row.valueAtRisk)}</td>
              <td class="num">${fmt.int(row.recencyDays)}</td>
              <td>${row.segment}</td>
              <td><ul class="picks">${(recommendations ?? []).map((i) => html`<li>${i.title ?? i.itemId}</li>`)}</ul></td>
            </tr>`,
          )}
        </tbody>
      </table></div>`}
      <div class="pager">
        ${paged ? html`<a class="button secondary" href="/dashboard/at-risk${query}">First page</a>` : ''}
        ${next ? html`<a class="button" rel="next" href="/dashboard/at-risk${next}">Next page</a>` : html`<span class="muted">End of the list.</span>`}
      </div>`,
  );
}

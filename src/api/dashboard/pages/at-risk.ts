// /dashboard/at-risk: the win-back list with its filters, keyset paging, each customer's top
// picks, and a CSV download of exactly the current filter (the API's CSV).
import { html } from 'hono/html';
import type { AtRiskPage } from '../../../services/churn-lists.ts';
import { fmt } from '../format.ts';
import { csrfField, page, tierBadge, type Html, type Viewer } from '../layout.ts';

export interface AtRiskFilterForm {
  tier?: 'high' | 'medium' | 'low' | undefined;
  segment?: string | undefined;
  min_clv?: number | undefined;
  min_probability?: number | undefined;
  min_days_since_order?: number | undefined;
  max_days_since_order?: number | undefined;
  min_orders?: number | undefined;
  due?: boolean | undefined;
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
        <label>days since order, at least <input type="number" name="min_days_since_order" step="1" min="0" value="${f.min_days_since_order ?? ''}"></label>
        <label>at most <input type="number" name="max_days_since_order" step="1" min="0" value="${f.max_days_since_order ?? ''}"></label>
        <label>orders, at least <input type="number" name="min_orders" step="1" min="1" value="${f.min_orders ?? ''}"></label>
        <label class="check"><input type="checkbox" name="due" value="true" ${f.due ? 'checked' : ''}> past their usual gap</label>
        <button type="submit">Apply</button>
        <a class="button secondary" href="/dashboard/at-risk">Reset</a>
        <a class="button secondary" href="/dashboard/at-risk.csv${query}" download>Download CSV</a>
      </form>
      <p class="note">Largest value at risk (churn probability × predicted CLV) first. Unsubscribed and erased customers never appear.</p>
      ${viewer.canAdmin ? campaignForm(viewer, f) : ''}
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

/** Admin: a campaign whose audience is this filter, a holdout share and the treatment arms. */
function campaignForm(viewer: Viewer, f: AtRiskFilterForm): Html {
  return html`<details class="panel" id="create-campaign"><summary>Create a campaign from this list</summary>
    <form class="filters" method="post" action="/dashboard/campaigns">${csrfField(viewer)}
      ${Object.entries(f).map(([k, v]) => (v === undefined || v === '' ? '' : html`<input type="hidden" name="${k}" value="${String(v)}">`))}
      <label>name <input type="text" name="name" required maxlength="200" placeholder="win-back ${new Date().toISOString().slice(0, 7)}"></label>
      <label>holdout (control) share <input type="number" name="holdout" required min="0.01" max="0.9" step="0.01" value="0.2"></label>
      <label>treatment arms
        <select name="arms">
          <option value="personalized">personalized picks</option>
          <option value="popular">popular items</option>
          <option value="personalized,popular">personalized and popular (half each)</option>
          <option value="message">a message without items</option>
        </select>
      </label>
      <label>items per message <input type="number" name="items" min="1" max="20" value="4"></label>
      <label>skip customers contacted in the last … days <input type="number" name="exclude_contacted_within_days" min="0" max="3650" placeholder="no cap"></label>
      <button type="submit">Create campaign</button>
    </form>
    <p class="note">The audience is exactly the filter above (${filterQuery(f) || 'no filter: every listed customer'}); arms are assigned at random within each risk tier. The control is never exported.</p>
  </details>`;
}

// /dashboard/models: every model version with its metrics, activate / roll back (admin), the
// churn model's backtest as charts and the recommender's holdout metrics and coverage.
import { html } from 'hono/html';
import type { ModelSummary } from '../../../services/model-registry.ts';
import { churnBacktestOf, churnValidationOf, recommenderTestOf } from '../../../services/model-reports.ts';
import { backtestSection } from '../churn-charts.ts';
import { fmt } from '../format.ts';
import { csrfField, page, type Html, type Viewer } from '../layout.ts';

export function modelsPage(viewer: Viewer, models: ModelSummary[], churnVersion: string | undefined): Html {
  const recommenders = models.filter((m) => m.kind === 'recommender');
  const churn = models.filter((m) => m.kind === 'churn');
  const shown = churn.find((m) => m.version === churnVersion) ?? churn.find((m) => m.active);
  const backtest = shown ? churnBacktestOf(shown.metrics) : undefined;
  return page(
    'Models',
    'models',
    viewer,
    html`<section class="panel table-wrap"><h2>Recommender versions</h2>
        ${recommenders.length === 0 ? html`<p class="empty">None trained yet: retain train recommender.</p>` : ''}
        <table id="recommenders"><thead><tr><th>version</th><th>model</th><th>data to</th><th class="num">P@k</th><th class="num">R@k</th><th class="num">nDCG@k</th><th class="num">MAP</th><th class="num">coverage</th><th class="num">test users</th><th></th></tr></thead>
        <tbody>${recommenders.map((m) => {
          const t = recommenderTestOf(m.metrics);
          const spec = m.params.model as { algorithm?: string } | undefined;
          return html`<tr><td>${m.version}</td><td>${spec?.algorithm ?? '—'}</td><td>${fmt.day(m.dataWindow.to)}</td>
            <td class="num">${t ? fmt.num(t.precision, 4) : '—'}</td><td class="num">${t ? fmt.num(t.recall, 4) : '—'}</td><td class="num">${t ? fmt.num(t.ndcg, 4) : '—'}</td>
            <td class="num">${t ? fmt.num(t.map, 4) : '—'}</td><td class="num">${t ? fmt.share(t.coverage) : '—'}</td><td class="num">${t ? fmt.int(t.users) : '—'}</td>
            <td>${activation(viewer, m)}</td></tr>`;
        })}</tbody></table>
        <p class="note">Holdout: purchases after each model's test cutoff, k = 10; coverage = share of the catalog recommended to anyone.</p>
      </section>
      <section class="panel table-wrap"><h2>Churn model versions</h2>
        ${churn.length === 0 ? html`<p class="empty">None trained yet: retain train churn.</p>` : ''}
        <table id="churn-models"><thead><tr><th>version</th><th>data to</th><th class="num">validation ROC AUC</th><th class="num">backtest ROC AUC</th><th class="num">Brier</th><th></th></tr></thead>
        <tbody>${churn.map((m) => {
          const v = churnValidationOf(m.metrics);
          const b = churnBacktestOf(m.metrics)?.comparison.at(-1);
          return html`<tr><td><a href="/dashboard/models?churn=${encodeURIComponent(m.version)}">${m.version}</a></td><td>${fmt.day(m.dataWindow.to)}</td>
            <td class="num">${v ? fmt.num(v.rocAuc, 4) : '—'}</td><td class="num">${b ? fmt.num(b.rocAuc, 4) : '—'}</td><td class="num">${b ? fmt.num(b.brier, 4) : '—'}</td>
            <td>${activation(viewer, m)}</td></tr>`;
        })}</tbody></table>
        <p class="note">A churn version activated here scores customers at the next retain score churn; the stored scores stay until then.</p>
      </section>
      ${shown
        ? html`<section class="panel"><h2>Backtest of churn model ${shown.version}</h2>
            ${backtest ? backtestSection(backtest) : html`<p class="empty">No backtest: this model was trained up to the end of the data, so nothing was left to test it on. Train with an earlier cutoff (retain train churn --cutoff DATE) to get one.</p>`}</section>`
        : ''}`,
  );
}

function activation(viewer: Viewer, m: ModelSummary): Html {
  if (m.active) return html`<strong>active</strong>`;
  const action = `/dashboard/models/${encodeURIComponent(m.kind)}/${encodeURIComponent(m.version)}/activate`;
  return html`<form method="post" action="${action}">${csrfField(viewer)}<button type="submit" class="secondary" data-activate="${m.version}" ${viewer.canAdmin ? '' : 'title="needs an admin key"'}>Activate</button></form>`;
}

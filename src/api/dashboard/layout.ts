// The page shell every dashboard page shares: head, navigation, who is signed in, the style
// sheet (inline: one request per page, and the offline report reuses it), and small building
// blocks (stat cards, CSRF-carrying forms) so pages read the same.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { CSRF_FIELD } from './session.ts';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What a page knows about the visitor. */
export interface Viewer {
  /** Key name when signed in; null when the dashboard is open (no keys configured). */
  keyName: string | null;
  canAdmin: boolean;
  csrf: string;
}

const NAV = [
  ['overview', '/dashboard', 'Overview'],
  ['segments', '/dashboard/segments', 'Segments'],
  ['at-risk', '/dashboard/at-risk', 'Win-back list'],
  ['customers', '/dashboard/customers', 'Customers'],
  ['models', '/dashboard/models', 'Models'],
  ['campaigns', '/dashboard/campaigns', 'Campaigns'],
] as const;

export type Section = (typeof NAV)[number][0];

export const STYLE = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff; --accent:#2563eb; --high:#dc2626; --medium:#f59e0b; --low:#16a34a; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header { background:#0f172a; color:#fff; padding:.6rem 1rem; display:flex; flex-wrap:wrap; gap:.4rem 1.2rem; align-items:center; }
header .brand { font-weight:700; letter-spacing:.02em; color:#fff; text-decoration:none; }
header nav { display:flex; flex-wrap:wrap; gap:.2rem .9rem; flex:1; }
header nav a { color:#cbd5e1; text-decoration:none; padding:.15rem 0; }
header nav a[aria-current=page] { color:#fff; border-bottom:2px solid #60a5fa; }
header .who { color:#cbd5e1; font-size:.85rem; display:flex; gap:.5rem; align-items:center; }
header .who button { background:none; border:1px solid #475569; color:#e2e8f0; border-radius:4px; padding:.1rem .5rem; cursor:pointer; }
main { max-width:1180px; margin:0 auto; padding:1rem; }
h1 { font-size:1.4rem; margin:.4rem 0 1rem; }
h2 { font-size:1.1rem; margin:1.6rem 0 .6rem; }
.muted, .note { color:var(--muted); font-size:.88rem; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(160px,1fr)); gap:.75rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.75rem .9rem; }
.card .label { color:var(--muted); font-size:.8rem; text-transform:uppercase; letter-spacing:.04em; }
.card .value { font-size:1.45rem; font-weight:650; margin-top:.15rem; }
.card .note { overflow-wrap:anywhere; }
.panel { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.75rem; margin-top:.75rem; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit,minmax(340px,1fr)); gap:.75rem; }
svg.chart { width:100%; height:auto; display:block; }
.chart-wrap { overflow-x:auto; }
.table-wrap { overflow-x:auto; }
.table-wrap table { min-width:560px; }
#at-risk { min-width:760px; }
#arms { font-size:.85rem; }
.spaced { margin-top:1rem; }
input[type=checkbox] { min-width:0; }
table { border-collapse:collapse; width:100%; background:var(--card); font-size:.9rem; }
th, td { text-align:left; padding:.4rem .55rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:#334155; background:#f1f5f9; white-space:nowrap; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.tier { display:inline-block; padding:0 .45rem; border-radius:999px; font-size:.8rem; color:#fff; }
.tier-high { background:var(--high); } .tier-medium { background:var(--medium); } .tier-low { background:var(--low); }
form.filters { display:flex; flex-wrap:wrap; gap:.6rem; align-items:flex-end; background:var(--card); border:1px solid var(--line); border-radius:8px; padding:.75rem; }
form.filters label { display:flex; flex-direction:column; font-size:.8rem; color:var(--muted); gap:.15rem; }
form.filters label.check { flex-direction:row; align-items:center; gap:.35rem; padding-bottom:.45rem; }
input, select, button { font:inherit; }
input, select { padding:.3rem .4rem; border:1px solid #cbd5e1; border-radius:4px; background:#fff; min-width:7rem; }
button, .button { background:var(--accent); color:#fff; border:0; border-radius:4px; padding:.38rem .8rem; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary, .button.secondary { background:#e2e8f0; color:var(--fg); }
button.danger { background:var(--high); }
.pager { display:flex; gap:.6rem; margin:.75rem 0; flex-wrap:wrap; align-items:center; }
.picks { margin:0; padding-left:1rem; font-size:.85rem; }
.error { background:#fef2f2; border:1px solid #fecaca; color:#991b1b; border-radius:6px; padding:.6rem .8rem; }
.empty { color:var(--muted); font-style:italic; padding:1rem; }
.login { max-width:380px; margin:3rem auto; }
.login form { display:flex; flex-direction:column; gap:.6rem; }
@media (max-width:600px) { svg.chart.wide { min-width:520px; } main { padding:.6rem; } .card .value { font-size:1.2rem; } th, td { padding:.3rem .35rem; } }
`;

export function page(title: string, section: Section | null, viewer: Viewer | null, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${title} · retain</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header>
  <a class="brand" href="/dashboard">retain</a>
  ${viewer ? html`<nav>${NAV.map(([id, href, label]) => html`<a href="${href}"${id === section ? raw(' aria-current="page"') : ''}>${label}</a>`)}</nav>` : ''}
  ${viewer?.keyName ? html`<span class="who">signed in as ${viewer.keyName}<form method="post" action="/dashboard/logout">${csrfField(viewer)}<button type="submit">Log out</button></form></span>` : ''}
</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

export function csrfField(viewer: Pick<Viewer, 'csrf'>): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${viewer.csrf}">`;
}

export function card(label: string, value: string, note?: string): Html {
  return html`<div class="card"><div class="label">${label}</div><div class="value">${value}</div>${note ? html`<div class="note">${note}</div>` : ''}</div>`;
}

export function chartPanel(title: string, svg: string, note?: Html | string): Html {
  return html`<section class="panel"><h2>${title}</h2><div class="chart-wrap">${raw(svg)}</div>${note ? html`<p class="note">${note}</p>` : ''}</section>`;
}

export function tierBadge(tier: string): Html {
  return html`<span class="tier tier-${tier}">${tier}</span>`;
}

// The dashboard under /dashboard: server-rendered pages over the same services as the API, with
// its own access control (session cookie instead of a bearer header; see session.ts) and HTML
// error pages. Everything here is mounted on a sub-app, so none of it runs for /v1 requests.
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { DomainError, ForbiddenError, UnauthorizedError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { grants } from '../../services/api-key-ring.ts';
import type { CampaignArm, CampaignInput } from '../../services/campaigns.ts';
import type { AtRiskQuery } from '../../services/churn-lists.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import { statusOfCode } from '../error-handler.ts';
import { exportColumns, exportCsvLine } from '../routes/campaigns.ts';
import { CSV_COLUMNS, csvLine } from '../routes/churn.ts';
import { loadCharts } from './charts.ts';
import type { Viewer } from './layout.ts';
import { atRiskPage, type AtRiskFilterForm } from './pages/at-risk.ts';
import { customerPage, customerSearchPage } from './pages/customer.ts';
import { modelsPage } from './pages/models.ts';
import { overviewPage } from './pages/overview.ts';
import { segmentsPage } from './pages/segments.ts';
import { campaignPage, campaignsListPage } from './pages/campaigns.ts';
import { errorPage, loginPage } from './pages/simple.ts';
import { CSRF_FIELD, csrfToken, csrfValid, DashboardSessions } from './session.ts';

export interface DashboardOptions {
  runtime: ServiceRuntime;
  logger: Logger;
  /** As for the API: listening beyond loopback, a key is needed even if none is configured. */
  alwaysRequireKey: boolean;
}

type DashboardEnv = { Variables: { viewer: Viewer } };

/** Win-back rows per page, and top picks shown per row. */
const PAGE_ROWS = 50;
const PICKS = 3;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

const AtRiskFilter = z.object({
  tier: z.enum(['high', 'medium', 'low']).optional(),
  segment: z.string().max(100).optional(),
  min_clv: z.coerce.number().min(0).optional(),
  min_probability: z.coerce.number().min(0).max(1).optional(),
  min_days_since_order: z.coerce.number().min(0).max(36_500).optional(),
  max_days_since_order: z.coerce.number().min(0).max(36_500).optional(),
  min_orders: z.coerce.number().int().min(1).max(1_000_000).optional(),
  due: z.literal('true').transform(() => true).optional(),
  cursor: z.string().max(200).optional(),
});

const CampaignForm = AtRiskFilter.omit({ cursor: true }).extend({
  name: z.string().trim().min(1).max(200),
  holdout: z.coerce.number().min(0.01).max(0.9),
  arms: z.enum(['personalized', 'popular', 'personalized,popular', 'message']).default('personalized'),
  items: z.coerce.number().int().min(1).max(20).default(4),
  exclude_contacted_within_days: z.coerce.number().int().min(0).max(3650).optional(),
});

const CampaignId = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const ResultsQuery = z.object({ window_days: z.coerce.number().int().min(1).max(3650).default(30) });

export function dashboardRoutes(options: DashboardOptions): Hono<DashboardEnv> {
  const { runtime: rt, logger, alwaysRequireKey } = options;
  const sessions = new DashboardSessions(rt.keys, rt.dashboardLogouts);
  const app = new Hono<DashboardEnv>();
  const keysRequired = () => rt.keys.enforced || alwaysRequireKey;

  app.onError((err, c) => {
    const viewer = c.get('viewer') ?? null;
    if (err instanceof DomainError) {
      const status = statusOfCode(err.code);
      return c.html(errorPage(viewer, status === 404 ? 'Not found' : status === 403 ? 'Not allowed' : 'Cannot do that', err.message), status);
    }
    logger.error({ err, method: c.req.method, path: c.req.path }, 'dashboard error');
    return c.html(errorPage(viewer, 'Something went wrong', 'The page could not be built; the error is in the service log.'), 500);
  });

  const limitForm = bodyLimit({
    maxSize: 16 * 1024,
    onError: () => {
      throw new DomainError('payload_too_large', 'the form is too large');
    },
  });
  app.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitForm(c, next)));
  // ECharts loads with the first dashboard request, not with the server (see charts.ts)
  app.use('*', async (_c, next) => {
    await loadCharts();
    return next();
  });

  app.use('*', async (c, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    const csrf = csrfToken(c);
    if (c.req.path === '/dashboard/login') {
      c.set('viewer', { keyName: null, canAdmin: false, csrf });
      return next();
    }
    if (!keysRequired()) {
      c.set('viewer', { keyName: null, canAdmin: true, csrf });
      return next();
    }
    const key = await sessions.keyOf(c);
    if (!key) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return c.redirect(`/dashboard/login?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`, 303);
      throw new UnauthorizedError('sign in first');
    }
    if (!grants(key.scopes, 'read')) throw new ForbiddenError(`key '${key.name}' cannot read the dashboard (it needs the read scope)`);
    c.set('viewer', { keyName: key.name, canAdmin: grants(key.scopes, 'admin'), csrf });
    return next();
  });

  app.get('/login', (c) => {
    if (!keysRequired()) return c.redirect('/dashboard', 303);
    return c.html(loginPage(c.get('viewer').csrf, safeNext(c.req.query('next')), false));
  });

  app.post('/login', async (c) => {
    const form = await checkedForm(c);
    const key = typeof form.key === 'string' ? rt.keys.verify(form.key) : undefined;
    const next = safeNext(typeof form.next === 'string' ? form.next : undefined);
    // one answer for every failure: unknown, revoked, malformed, or without the read scope
    if (!key || !grants(key.scopes, 'read')) return c.html(loginPage(c.get('viewer').csrf, next, true), 401);
    sessions.start(c, key);
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    await checkedForm(c);
    await sessions.end(c);
    return c.redirect(keysRequired() ? '/dashboard/login' : '/dashboard', 303);
  });

  app.get('/', async (c) => c.html(overviewPage(c.get('viewer'), await rt.dashboardInsights.overview())));

  app.get('/segments', async (c) => c.html(segmentsPage(c.get('viewer'), await rt.dashboardInsights.segments())));

  app.get('/at-risk', async (c) => {
    const f = parseQuery(c, AtRiskFilter);
    const { cursor, ...filter } = f;
    const page = await rt.churn.page({ ...listQuery(filter), limit: PAGE_ROWS, cursor, withRecommendations: rt.modelLoaded ? PICKS : 0 });
    const segments = (await rt.dashboardInsights.segments()).segments.map((s) => s.segment).sort();
    return c.html(atRiskPage(c.get('viewer'), filter, segments, page, cursor !== undefined));
  });

  app.get('/at-risk.csv', (c) => {
    const { cursor: _ignored, ...filter } = parseQuery(c, AtRiskFilter);
    // the API's columns and rows (routes/churn.ts), so the two downloads are the same file
    return csvDownload(c, 'at-risk.csv', CSV_COLUMNS, map(rt.churn.all({ ...listQuery(filter), limit: 1_000_000, withRecommendations: 0 }), csvLine));
  });

  app.get('/customers', (c) => {
    const id = c.req.query('id')?.trim();
    if (id) return c.redirect(`/dashboard/customers/${encodeURIComponent(id)}`, 303);
    const erased = c.req.query('erased');
    return c.html(customerSearchPage(c.get('viewer'), '', erased ? `Customer ${erased} was erased.` : null));
  });

  app.get('/customers/:id', async (c) => {
    const id = c.req.param('id');
    if (id.length > 200) throw new DomainError('invalid_request', 'customer id too long');
    try {
      return c.html(customerPage(c.get('viewer'), await rt.dashboardCustomers.view(id)));
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') return c.html(customerSearchPage(c.get('viewer'), id, `No customer ${id}.`), 404);
      throw err;
    }
  });

  app.post('/customers/:id/erase', async (c) => {
    const form = await checkedForm(c);
    requireAdmin(c);
    if (form.confirm !== 'yes') throw new DomainError('invalid_request', 'tick the box to confirm the erasure');
    const id = c.req.param('id');
    await rt.customers.erase(id);
    logger.info({ customerId: id, by: c.get('viewer').keyName }, 'customer erased from the dashboard');
    return c.redirect(`/dashboard/customers?erased=${encodeURIComponent(id)}`, 303);
  });

  app.get('/models', async (c) => c.html(modelsPage(c.get('viewer'), await rt.models.list(), c.req.query('churn'))));

  app.post('/models/:kind/:version/activate', async (c) => {
    await checkedForm(c);
    requireAdmin(c);
    const { kind, version } = c.req.param();
    if (!/^[0-9A-Za-z._-]{1,100}$/.test(version) || kind.length > 50) throw new DomainError('invalid_request', 'not a model version');
    await rt.models.activate(kind, version);
    logger.info({ kind, version, by: c.get('viewer').keyName }, 'model activated from the dashboard');
    return c.redirect('/dashboard/models', 303);
  });

  app.get('/campaigns', async (c) => c.html(campaignsListPage(c.get('viewer'), await rt.campaigns.listCampaigns())));

  app.post('/campaigns', async (c) => {
    const form = await checkedForm(c);
    requireAdmin(c);
    const parsed = CampaignForm.safeParse(Object.fromEntries(Object.entries(form).filter(([, v]) => v !== '')));
    if (!parsed.success) throw new DomainError('invalid_request', `invalid campaign: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const created = await rt.campaigns.createCampaign(campaignInput(parsed.data));
    logger.info({ campaignId: created.id, by: c.get('viewer').keyName }, 'campaign created from the dashboard');
    return c.redirect(`/dashboard/campaigns/${created.id}`, 303);
  });

  app.get('/campaigns/:id', async (c) => {
    const { window_days } = parseQuery(c, ResultsQuery);
    return c.html(campaignPage(c.get('viewer'), await rt.dashboardCampaigns.view(campaignId(c), window_days)));
  });

  app.post('/campaigns/:id/close', async (c) => {
    await checkedForm(c);
    requireAdmin(c);
    const closed = await rt.campaigns.closeCampaign(campaignId(c));
    logger.info({ campaignId: closed.id, by: c.get('viewer').keyName }, 'campaign closed from the dashboard');
    return c.redirect(`/dashboard/campaigns/${closed.id}`, 303);
  });

  // a POST: the export records every member it lists in the contact log
  app.post('/campaigns/:id/audience.csv', async (c) => {
    await checkedForm(c);
    requireAdmin(c);
    const exported = await rt.campaigns.exportAudience(campaignId(c));
    const n = exported.itemColumns;
    return csvDownload(c, `campaign-${exported.campaign.id}.csv`, exportColumns(n), map(exported.entries, (e) => exportCsvLine(e, n)));
  });

  return app;
}

/** Streams a CSV attachment, written in chunks of about 64 kB. */
function csvDownload(c: Context, filename: string, columns: readonly string[], lines: AsyncIterable<string>): Response {
  c.header('content-type', 'text/csv; charset=utf-8');
  c.header('content-disposition', `attachment; filename="${filename}"`);
  return stream(c, async (s) => {
    let chunk = `${columns.join(',')}\n`;
    for await (const line of lines) {
      chunk += line;
      if (chunk.length > 64 * 1024) {
        await s.write(chunk);
        chunk = '';
      }
    }
    await s.write(chunk);
  });
}

async function* map<T, U>(items: AsyncIterable<T>, f: (t: T) => U): AsyncGenerator<U> {
  for await (const t of items) yield f(t);
}

function campaignId(c: Context): number {
  const id = CampaignId.safeParse(c.req.param('id'));
  if (!id.success) throw new DomainError('not_found', 'no such campaign');
  return id.data;
}

/** The at-risk filter as the audience, the holdout as the control arm, the rest split evenly between the treatment arms. */
function campaignInput(f: z.infer<typeof CampaignForm>): CampaignInput {
  const treatments = f.arms.split(',') as ('personalized' | 'popular' | 'message')[];
  const share = (1 - f.holdout) / treatments.length;
  const arms: CampaignArm[] = [
    { name: 'control', fraction: f.holdout, contact: false, recommendations: null },
    ...treatments.map((t, k) => ({
      name: t,
      // the last arm takes what rounding left, so the fractions sum to exactly 1
      fraction: k === treatments.length - 1 ? 1 - f.holdout - share * k : share,
      contact: true,
      recommendations: t === 'message' ? null : { strategy: t, limit: f.items },
    })),
  ];
  const audience = { tiers: f.tier ? [f.tier] : undefined, segment: f.segment, minClv: f.min_clv, minProbability: f.min_probability, ...winBack(f), excludeContactedWithinDays: f.exclude_contacted_within_days };
  // undefined fields would be stored as JSON nulls: leave them out
  return { name: f.name, audience: JSON.parse(JSON.stringify(audience)) as CampaignInput['audience'], arms };
}

function requireAdmin(c: Context<DashboardEnv>): void {
  if (!c.get('viewer').canAdmin) throw new ForbiddenError('this needs an API key with the admin scope');
}

/** The submitted form, after checking its CSRF token against the visitor's cookie. */
async function checkedForm(c: Context<DashboardEnv>): Promise<Record<string, unknown>> {
  const form = await c.req.parseBody();
  if (!csrfValid(c, form[CSRF_FIELD])) throw new ForbiddenError('the form has expired or did not come from this dashboard: reload the page and try again');
  return form;
}

function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  // empty form fields mean "no filter"
  const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new DomainError('invalid_request', `invalid filter: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

function listQuery(f: AtRiskFilterForm): Omit<AtRiskQuery, 'limit' | 'withRecommendations'> {
  return { tier: f.tier, segment: f.segment, minClv: f.min_clv, minProbability: f.min_probability, ...winBack(f) };
}

/** The win-back filters (days since the last order, orders placed, past their usual gap), as the list and campaigns take them. */
function winBack(f: AtRiskFilterForm) {
  return { minDaysSinceOrder: f.min_days_since_order, maxDaysSinceOrder: f.max_days_since_order, minOrders: f.min_orders, due: f.due };
}

/** Only a path inside the dashboard: a login link cannot send anyone elsewhere. */
function safeNext(next: string | undefined): string {
  return next && /^\/dashboard(?:[/?][^\s\\]*)?$/.test(next) && !next.startsWith('//') ? next : '/dashboard';
}

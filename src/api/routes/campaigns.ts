// Win-back campaigns: create (write), list and read (read), close (write), export the audience
// (write: it records contacts), and results against the control (read).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import type { ArmResult, CampaignExport, CampaignInput, CampaignSummary, ExportEntry } from '../../services/campaigns.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { csvCell, errorResponses, ProblemSchema } from '../schemas.ts';

const Tier = z.enum(['high', 'medium', 'low']);
const days = (description: string) => z.number().int().min(0).max(3650).optional().openapi({ description });
const excludeContacted = days('Frequency cap: leave out customers a campaign export contacted within this many days');

const FilterAudience = z
  .object({
    tier: z.union([Tier, z.array(Tier).min(1).max(3)]).optional().openapi({ description: 'One risk tier or several' }),
    min_probability: z.number().min(0).max(1).optional(),
    segment: z.string().min(1).max(100).optional(),
    min_clv: z.number().optional(),
    min_days_since_order: days('Days since the last order at scoring time, at least'),
    max_days_since_order: days('Days since the last order at scoring time, at most'),
    min_orders: z.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Orders placed, at least' }),
    due: z.boolean().optional().openapi({ description: 'true: only repeat customers whose days since the last order exceed their mean days between orders' }),
    exclude_contacted_within_days: excludeContacted,
  })
  .strict();
const ListAudience = z.object({ customer_ids: z.array(z.string().min(1).max(200)).min(1).max(100_000), exclude_contacted_within_days: excludeContacted }).strict();

const Arm = z
  .object({
    name: z.string().min(1).max(100),
    fraction: z.number().gt(0).max(1),
    contact: z.boolean().default(true).openapi({ description: 'false for the holdout (control): never exported' }),
    recommendations: z.object({ strategy: z.enum(['personalized', 'popular']), limit: z.number().int().min(1).max(20).default(4) }).strict().optional(),
  })
  .strict();

const CreateCampaign = z
  .object({
    name: z.string().min(1).max(200),
    audience: z.union([ListAudience, FilterAudience]).openapi({ description: 'The at-risk list\'s filters, or customer_ids' }),
    arms: z.array(Arm).min(1).max(10),
    seed: z.union([z.string().min(1).max(100), z.number().int()]).optional().openapi({ description: 'Assignment seed (default random): the same seed and audience give the same arms' }),
  })
  .strict()
  .superRefine((b, ctx) => {
    const sum = b.arms.reduce((s, a) => s + a.fraction, 0);
    if (Math.abs(sum - 1) > 1e-9) ctx.addIssue({ code: 'custom', path: ['arms'], message: `arm fractions must sum to 1 (they sum to ${sum})` });
    const names = new Set<string>();
    b.arms.forEach((a, i) => {
      if (names.has(a.name)) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `arm name '${a.name}' is used twice` });
      names.add(a.name);
      if (!a.contact && a.recommendations) ctx.addIssue({ code: 'custom', path: ['arms', i, 'recommendations'], message: 'an arm that is not contacted shows no items' });
    });
    if (b.arms.filter((a) => !a.contact).length > 1) ctx.addIssue({ code: 'custom', path: ['arms'], message: 'at most one arm (the control) may have contact: false' });
  })
  .openapi('CreateCampaign');

const CampaignSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(['open', 'closed']),
    seed: z.string(),
    started_at: z.string(),
    closed_at: z.string().nullable(),
    audience: z.record(z.string(), z.unknown()),
    members: z.number().int(),
    arms: z.array(
      z.object({
        name: z.string(),
        fraction: z.number(),
        contact: z.boolean(),
        recommendations: z.object({ strategy: z.string(), limit: z.number().int() }).nullable(),
        members: z.number().int(),
      }),
    ),
  })
  .openapi('Campaign');

function campaignJson(c: CampaignSummary): z.infer<typeof CampaignSchema> {
  const a = c.audience;
  const audience =
    'customerIds' in a
      ? { customer_ids: a.customerIds.length, exclude_contacted_within_days: a.excludeContactedWithinDays }
      : { tier: a.tiers, min_probability: a.minProbability, segment: a.segment, min_clv: a.minClv, min_days_since_order: a.minDaysSinceOrder, max_days_since_order: a.maxDaysSinceOrder, min_orders: a.minOrders, due: a.due, exclude_contacted_within_days: a.excludeContactedWithinDays };
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    seed: c.seed,
    started_at: c.startedAt.toISOString(),
    closed_at: c.closedAt?.toISOString() ?? null,
    audience: Object.fromEntries(Object.entries(audience).filter(([, v]) => v !== undefined)),
    members: Object.values(c.armMembers).reduce((s, n) => s + n, 0),
    arms: c.arms.map((arm) => ({ name: arm.name, fraction: arm.fraction, contact: arm.contact, recommendations: arm.recommendations, members: c.armMembers[arm.name] ?? 0 })),
  };
}

function inputOf(b: z.infer<typeof CreateCampaign>): CampaignInput {
  const a = b.audience;
  const audience: CampaignInput['audience'] =
    'customer_ids' in a
      ? { customerIds: a.customer_ids, excludeContactedWithinDays: a.exclude_contacted_within_days }
      : {
          tiers: a.tier === undefined ? undefined : Array.isArray(a.tier) ? a.tier : [a.tier],
          minProbability: a.min_probability,
          segment: a.segment,
          minClv: a.min_clv,
          minDaysSinceOrder: a.min_days_since_order,
          maxDaysSinceOrder: a.max_days_since_order,
          minOrders: a.min_orders,
          due: a.due,
          excludeContactedWithinDays: a.exclude_contacted_within_days,
        };
  return {
    name: b.name,
    // undefined fields would be stored as JSON nulls: leave them out
    audience: JSON.parse(JSON.stringify(audience)) as CampaignInput['audience'],
    arms: b.arms.map((arm) => ({ name: arm.name, fraction: arm.fraction, contact: arm.contact, recommendations: arm.recommendations ?? null })),
    seed: b.seed === undefined ? undefined : String(b.seed),
  };
}

const Interval = z.tuple([z.number(), z.number()]);
const ArmResultSchema = z.object({
  name: z.string(),
  members: z.number().int(),
  purchasers: z.number().int(),
  conversion_rate: z.number(),
  orders: z.number().int(),
  revenue: z.number(),
  revenue_per_member: z.number(),
  attributed_orders: z.number().int().openapi({ description: 'Orders carrying the member\'s token or containing an item shown to them' }),
  vs_control: z
    .object({
      conversion_diff: z.number(),
      conversion_diff_ci95: Interval.openapi({ description: 'Newcombe hybrid score (Wilson) interval' }),
      p_value: z.number().nullable().openapi({ description: 'Two-sided pooled two-proportion z-test' }),
      revenue_per_member_diff: z.number(),
      revenue_per_member_diff_ci95: Interval.nullable().openapi({ description: 'Welch t interval; null with fewer than two members in a group' }),
      incremental_revenue: z.number().openapi({ description: '(revenue per member − control\'s) × members' }),
    })
    .nullable(),
});

function armResultJson(a: ArmResult): z.infer<typeof ArmResultSchema> {
  const v = a.vsControl;
  return {
    name: a.name,
    members: a.members,
    purchasers: a.purchasers,
    conversion_rate: a.conversionRate,
    orders: a.orders,
    revenue: a.revenue,
    revenue_per_member: a.revenuePerMember,
    attributed_orders: a.attributedOrders,
    vs_control: v
      ? {
          conversion_diff: v.conversionDiff,
          conversion_diff_ci95: v.conversionDiffCi,
          p_value: Number.isNaN(v.pValue) ? null : v.pValue,
          revenue_per_member_diff: v.revenuePerMemberDiff,
          revenue_per_member_diff_ci95: v.revenuePerMemberDiffCi,
          incremental_revenue: v.incrementalRevenue,
        }
      : null,
  };
}

export function exportColumns(n: number): string[] {
  const items = Array.from({ length: n }, (_, k) => [`item_${k + 1}`, `item_${k + 1}_title`]).flat();
  return ['customer_id', 'email', 'arm', 'token', ...items];
}

export function exportCsvLine(e: ExportEntry, n: number): string {
  const cells = [e.customerId, e.email ?? '', e.arm, e.token];
  for (let k = 0; k < n; k++) cells.push(e.items[k]?.itemId ?? '', e.items[k]?.title ?? '');
  return `${cells.map(csvCell).join(',')}\n`;
}

function exportJson(e: ExportEntry, n: number): string {
  const row: Record<string, string | null> = { customer_id: e.customerId, email: e.email, arm: e.arm, token: e.token };
  for (let k = 0; k < n; k++) {
    row[`item_${k + 1}`] = e.items[k]?.itemId ?? null;
    row[`item_${k + 1}_title`] = e.items[k]?.title ?? null;
  }
  return JSON.stringify(row);
}

const idParams = z.object({ id: z.coerce.number().int().min(1).openapi({ param: { name: 'id', in: 'path' }, example: 1 }) });

export function campaignRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/campaigns',
      tags: ['campaigns'],
      summary: 'Create a campaign: audience, randomized arms (stratified by risk tier), the items each member is shown',
      description:
        'Members are the audience\'s contactable customers (never unsubscribed or erased). Each is assigned an arm by a hash of the seed and their id, stratified by risk tier so every arm\'s share of every tier is exact to ±1; fractions must sum to 1. The items of arms with recommendations are chosen now and stored with the member.',
      middleware: [requireScope('write')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: CreateCampaign } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: CampaignSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(campaignJson(await rt.campaigns.createCampaign(inputOf(c.req.valid('json')))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/campaigns',
      tags: ['campaigns'],
      summary: 'Campaigns, newest first',
      middleware: [requireScope('read')] as const,
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: { 200: { description: 'Campaigns', content: { 'application/json': { schema: z.object({ campaigns: z.array(CampaignSchema) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ campaigns: (await rt.campaigns.listCampaigns(c.req.valid('query').limit)).map(campaignJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/campaigns/{id}',
      tags: ['campaigns'],
      summary: 'One campaign with its arms and member counts',
      middleware: [requireScope('read')] as const,
      request: { params: idParams },
      responses: { 200: { description: 'The campaign', content: { 'application/json': { schema: CampaignSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(campaignJson(await rt.campaigns.getCampaign(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/campaigns/{id}/close',
      tags: ['campaigns'],
      summary: 'Close a campaign: its audience can no longer be exported (results stay readable)',
      middleware: [requireScope('write')] as const,
      request: { params: idParams },
      responses: { 200: { description: 'The closed campaign', content: { 'application/json': { schema: CampaignSchema } } }, ...errorResponses },
    }),
    async (c) => c.json(campaignJson(await rt.campaigns.closeCampaign(c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/audience',
      tags: ['campaigns'],
      summary: 'Stream the contactable members with their tokens and items, recording each contact',
      description:
        'Never includes the control (contact: false) or customers who unsubscribed or were erased. Every exported member is recorded in the contact log (channel email) once: exporting again gives the same members and records nothing new. 409 for a closed campaign. Needs the write scope, since it records contacts.',
      middleware: [requireScope('write')] as const,
      request: { params: idParams, query: z.object({ format: z.enum(['csv', 'json']).default('csv') }) },
      responses: {
        200: { description: 'CSV rows or a JSON array', content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(z.record(z.string(), z.string().nullable())) } } },
        409: { description: 'The campaign is closed', content: { 'application/problem+json': { schema: ProblemSchema } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const exported: CampaignExport = await rt.campaigns.exportAudience(c.req.valid('param').id);
      const { format } = c.req.valid('query');
      const n = exported.itemColumns;
      c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json');
      if (format === 'csv') c.header('content-disposition', `attachment; filename="campaign-${exported.campaign.id}.csv"`);
      return stream(c, async (s) => {
        let chunk = format === 'csv' ? `${exportColumns(n).join(',')}\n` : '[';
        let first = true;
        for await (const e of exported.entries) {
          if (format === 'csv') chunk += exportCsvLine(e, n);
          else {
            chunk += `${first ? '' : ','}\n${exportJson(e, n)}`;
            first = false;
          }
          if (chunk.length > 64 * 1024) {
            await s.write(chunk);
            chunk = '';
          }
        }
        await s.write(format === 'csv' ? chunk : `${chunk}\n]\n`);
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/campaigns/{id}/results',
      tags: ['campaigns'],
      summary: 'Conversion, orders and revenue per arm in the window after the start, against the control',
      description:
        'A purchase counts when a member made it within window_days after the campaign started, whatever it carries; attributed_orders counts those carrying the member\'s token or containing an item shown to them. Conversion difference: Newcombe hybrid score interval and a two-sided pooled z-test; revenue per member: Welch t interval. Erased customers are not members any more and are left out.',
      middleware: [requireScope('read')] as const,
      request: { params: idParams, query: z.object({ window_days: z.coerce.number().int().min(1).max(3650).default(30) }) },
      responses: {
        200: {
          description: 'Results',
          content: {
            'application/json': {
              schema: z
                .object({ campaign_id: z.number().int(), arms: z.array(ArmResultSchema), window: z.object({ from: z.string(), to: z.string(), days: z.number().int() }) })
                .openapi('CampaignResults'),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const r = await rt.campaigns.campaignResults(c.req.valid('param').id, c.req.valid('query').window_days);
      return c.json({ campaign_id: r.campaign.id, arms: r.arms.map(armResultJson), window: { from: r.window.from.toISOString(), to: r.window.to.toISOString(), days: r.window.days } }, 200);
    },
  );
}

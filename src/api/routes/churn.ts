// The win-back list: at-risk customers ordered by value at risk, JSON pages or a streamed CSV.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { AtRiskEntry } from '../../services/churn-lists.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { hotGet } from '../hot-route.ts';
import { jsonBodies } from '../json-bodies.ts';
import { csvCell, errorResponses, ItemSchema, JSON_TYPE, ScoresSchema } from '../schemas.ts';

const AtRiskRow = z
  .object({ customer_id: z.string(), email: z.string().nullable(), scores: ScoresSchema, recommendations: z.array(ItemSchema).optional() })
  .openapi('AtRiskCustomer');

export const CSV_COLUMNS = ['customer_id', 'email', 'churn_probability', 'risk_tier', 'predicted_clv', 'value_at_risk', 'p_alive', 'expected_next_order_at', 'segment', 'recommended_items'];

export function csvLine(e: AtRiskEntry): string {
  const r = e.row;
  const cells = [r.externalId, r.email ?? '', r.churnProbability, r.riskTier, r.predictedClv, r.valueAtRisk, r.pAlive, r.expectedNextOrderAt?.toISOString() ?? '', r.segment, (e.recommendations ?? []).map((i) => i.itemId).join(' ')];
  return `${cells.map((c) => csvCell(String(c))).join(',')}\n`;
}

/** The header line, then rows gathered into chunks of about 64 KiB. */
async function* csvChunks(entries: AsyncIterable<AtRiskEntry>): AsyncGenerator<string> {
  let chunk = `${CSV_COLUMNS.join(',')}\n`;
  for await (const e of entries) {
    chunk += csvLine(e);
    if (chunk.length > 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield chunk;
}

export function churnRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  // in the hot lane: a dashboard or campaign tool pages through it as often as a shop reads scores
  hotGet(
    app,
    createRoute({
      method: 'get',
      path: '/v1/churn/at-risk',
      tags: ['churn'],
      summary: 'Win-back list: customers at risk, largest value at risk first',
      description:
        'Keyset-paginated: pass next_cursor back as cursor. format=csv streams every matching row (up to limit, default 1,000,000) without paging. Unsubscribed and erased customers never appear.',
      scope: 'read' as const,
      request: {
        params: z.object({}),
        query: z
          .object({
            tier: z.enum(['high', 'medium', 'low']).optional(),
            min_probability: z.coerce.number().min(0).max(1).optional(),
            segment: z.string().max(100).optional(),
            min_clv: z.coerce.number().optional(),
            min_days_since_order: z.coerce.number().min(0).max(36_500).optional().openapi({ description: 'Days since the last order (measured to the scores\' as_of), at least' }),
            max_days_since_order: z.coerce.number().min(0).max(36_500).optional().openapi({ description: 'Days since the last order, at most' }),
            min_orders: z.coerce.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Orders placed, at least' }),
            due: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ description: 'true: only repeat customers whose days since the last order exceed their mean days between orders' }),
            exclude_contacted_within_days: z.coerce.number().int().min(0).max(3650).optional().openapi({ description: 'Frequency cap: leave out customers a campaign export contacted within this many days' }),
            limit: z.coerce.number().int().min(1).max(1_000_000).optional().openapi({ description: 'Page size for JSON (default 100, at most 1,000); row cap for CSV' }),
            cursor: z.string().max(200).optional(),
            with_recommendations: z.coerce.number().int().min(0).max(20).default(0).openapi({ description: 'Add each customer\'s top-N items' }),
            format: z.enum(['json', 'csv']).default('json'),
          })
          .refine((q) => q.format === 'csv' || (q.limit ?? 100) <= 1000, { path: ['limit'], message: 'JSON pages hold at most 1000 rows' }),
      },
      responses: {
        200: {
          description: 'A page of at-risk customers (or the CSV export)',
          content: {
            'application/json': { schema: z.object({ customers: z.array(AtRiskRow), next_cursor: z.string().nullable() }).openapi('AtRiskPage') },
            'text/csv': { schema: z.string() },
          },
        },
        ...errorResponses,
      },
    }),
    async (c, _params, q) => {
      const filter = {
        tier: q.tier, minProbability: q.min_probability, segment: q.segment, minClv: q.min_clv,
        minDaysSinceOrder: q.min_days_since_order, maxDaysSinceOrder: q.max_days_since_order, minOrders: q.min_orders, due: q.due,
        excludeContactedWithinDays: q.exclude_contacted_within_days, withRecommendations: q.with_recommendations,
      };
      if (q.format === 'json') {
        const page = await rt.churn.jsonPage({ ...filter, limit: q.limit ?? 100, cursor: q.cursor });
        return c.body(jsonBodies.atRiskPage(page.entries, page.nextCursor), 200, JSON_TYPE);
      }
      // The first rows are read before the 200 goes out, so a database that is away is a 503. Should
      // it go away later, the stream errors and the transfer is cut off: never a short file that
      // looks complete.
      const chunks = csvChunks(rt.churn.all({ ...filter, limit: q.limit ?? 1_000_000 }));
      const first = await chunks.next();
      async function* body(): AsyncGenerator<string> {
        if (!first.done) yield first.value;
        yield* chunks;
      }
      return c.body(ReadableStream.from(body()).pipeThrough(new TextEncoderStream()), 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="at-risk.csv"',
      });
    },
  );
}

// How served recommendation lists did: clicks, click-through rate, orders and revenue attributed
// through their recommendation_id, per model version, source and strategy.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { errorResponses, queryInstant } from '../schemas.ts';

const Row = z.object({
  model_version: z.string(),
  source: z.string().openapi({ description: 'personalized or fallback' }),
  strategy: z.string(),
  served: z.number().int(),
  clicks: z.number().int(),
  ctr: z.number().openapi({ description: 'Lists clicked at least once / lists served' }),
  orders: z.number().int().openapi({ description: 'Distinct orders of purchase events carrying a served list\'s recommendation_id' }),
  revenue: z.number().openapi({ description: 'Quantity × price of those purchase events' }),
});

export function recommendationMetricsRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/metrics/recommendations',
      tags: ['recommendations'],
      summary: 'Served lists, clicks, CTR, attributed orders and revenue by model version, source and strategy',
      description: `Lists served in [from, to) (default: the last 30 days). Lists are kept for ATTRIBUTION_DAYS (default 90).`,
      middleware: [requireScope('read')] as const,
      request: {
        query: z.object({
          from: queryInstant('Start (inclusive), ISO-8601; default 30 days before `to`').optional(),
          to: queryInstant('End (exclusive); default now').optional(),
        }),
      },
      responses: {
        200: {
          description: 'One row per model version, source and strategy',
          content: { 'application/json': { schema: z.object({ from: z.string(), to: z.string(), lists: z.array(Row) }).openapi('RecommendationMetrics') } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const to = q.to ?? new Date();
      const from = q.from ?? new Date(to.getTime() - 30 * 86_400_000);
      const rows = await rt.attribution.report(from, to);
      return c.json(
        {
          from: from.toISOString(),
          to: to.toISOString(),
          lists: rows.map((r) => ({ model_version: r.modelVersion, source: r.source, strategy: r.strategy, served: r.served, clicks: r.clicks, ctr: r.ctr, orders: r.orders, revenue: r.revenue })),
        },
        200,
      );
    },
  );
}

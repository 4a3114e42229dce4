// Customer retention over a period: ((E − N) / S) × 100.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { errorResponses, queryInstant } from '../schemas.ts';

export function retentionRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/metrics/retention',
      tags: ['churn'],
      summary: 'Retention and churn rate between two dates',
      description:
        'A customer counts as a customer at time t when they ordered within lookback_days before t. S = customers at `from`, E = customers at `to`, N = customers of E whose first order falls in [from, to). retention_rate = ((E − N) / S) × 100; churn_rate = customers of S not active at `to`, per 100 of S.',
      middleware: [requireScope('read')] as const,
      request: {
        query: z.object({
          from: queryInstant('Start of the period (inclusive), ISO-8601; dates without a zone are UTC'),
          to: queryInstant('End of the period (exclusive)'),
          lookback_days: z.coerce.number().int().min(1).max(3650).default(365).openapi({ description: 'Activity window defining "a customer"' }),
        }),
      },
      responses: {
        200: {
          description: 'Retention',
          content: {
            'application/json': {
              schema: z
                .object({
                  from: z.string(),
                  to: z.string(),
                  lookback_days: z.number().int(),
                  customers_at_start: z.number().int(),
                  customers_at_end: z.number().int(),
                  new_customers: z.number().int(),
                  lost_customers: z.number().int(),
                  retention_rate: z.number().nullable(),
                  churn_rate: z.number().nullable(),
                })
                .openapi('Retention'),
            },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await rt.insights.retention(q.from, q.to, q.lookback_days);
      return c.json(
        {
          from: r.from.toISOString(),
          to: r.to.toISOString(),
          lookback_days: r.lookbackDays,
          customers_at_start: r.start,
          customers_at_end: r.end,
          new_customers: r.acquired,
          lost_customers: r.lost,
          retention_rate: r.retentionRate,
          churn_rate: r.churnRate,
        },
        200,
      );
    },
  );
}

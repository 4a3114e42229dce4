// Customers and value per RFM segment.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { errorResponses } from '../schemas.ts';

const Segment = z
  .object({ segment: z.string(), customers: z.number().int(), predicted_clv: z.number(), value_at_risk: z.number(), mean_churn_probability: z.number() })
  .openapi('Segment');

export function segmentRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/segments',
      tags: ['churn'],
      summary: 'Counts, predicted value and value at risk per segment (largest value at risk first)',
      middleware: [requireScope('read')] as const,
      responses: { 200: { description: 'Segments', content: { 'application/json': { schema: z.object({ segments: z.array(Segment) }) } } }, ...errorResponses },
    }),
    async (c) => {
      const rows = await rt.insights.segments();
      return c.json(
        {
          segments: rows.map((s) => ({
            segment: s.segment,
            customers: s.customers,
            predicted_clv: s.predictedClv,
            value_at_risk: s.valueAtRisk,
            mean_churn_probability: s.meanChurnProbability,
          })),
        },
        200,
      );
    },
  );
}

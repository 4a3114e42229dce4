// A customer's scores, marketing consent, and erasure.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { CustomerProfile } from '../../services/customers.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { errorResponses, idParam } from '../schemas.ts';

export const ScoresSchema = z
  .object({
    churn_probability: z.number().openapi({ description: 'P(no order within the churn horizon), 0–1' }),
    risk_tier: z.enum(['high', 'medium', 'low']),
    p_alive: z.number().openapi({ description: 'BG/NBD probability the customer is still active' }),
    expected_purchases: z.number().openapi({ description: 'Expected orders in the next horizon' }),
    predicted_clv: z.number().openapi({ description: 'Predicted lifetime value, shop currency' }),
    value_at_risk: z.number().openapi({ description: 'churn_probability × predicted_clv' }),
    expected_next_order_at: z.string().nullable(),
    recency_days: z.number(),
    frequency: z.number().int(),
    monetary: z.number(),
    rfm: z.object({ r: z.number().int(), f: z.number().int(), m: z.number().int() }),
    segment: z.string(),
    reasons: z
      .array(
        z.object({
          reason: z.string().openapi({ description: 'Feature group: recency, frequency, monetary, tenure, variety, cadence, recent_activity, purchase_model or returns' }),
          effect: z.number().openapi({ description: 'Push on the churn logit, largest first' }),
          detail: z.string(),
        }),
      )
      .openapi({ description: 'What pushes the churn score up most' }),
    model_version: z.string(),
    scored_at: z.string(),
  })
  .openapi('CustomerScores');

type Scores = NonNullable<CustomerProfile['scores']>;

export function scoresJson(s: Scores): z.infer<typeof ScoresSchema> {
  return {
    churn_probability: s.churnProbability,
    risk_tier: s.riskTier,
    p_alive: s.pAlive,
    expected_purchases: s.expectedPurchases,
    predicted_clv: s.predictedClv,
    value_at_risk: s.valueAtRisk,
    expected_next_order_at: s.expectedNextOrderAt?.toISOString() ?? null,
    recency_days: s.recencyDays,
    frequency: s.frequency,
    monetary: s.monetary,
    rfm: { r: s.rScore, f: s.fScore, m: s.mScore },
    segment: s.segment,
    reasons: s.reasons,
    model_version: s.modelVersion,
    scored_at: s.scoredAt.toISOString(),
  };
}

const params = z.object({ customer_id: idParam('customer_id') });

export function customerRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/customers/{customer_id}',
      tags: ['customers'],
      summary: 'A customer\'s churn, lifetime-value and RFM scores (null until scored)',
      middleware: [requireScope('read')] as const,
      request: { params },
      responses: {
        200: {
          description: 'The customer',
          content: { 'application/json': { schema: z.object({ customer_id: z.string(), unsubscribed: z.boolean(), scores: ScoresSchema.nullable() }).openapi('Customer') } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const p = await rt.customers.profile(c.req.valid('param').customer_id);
      return c.json({ customer_id: p.customerId, unsubscribed: p.unsubscribed, scores: p.scores ? scoresJson(p.scores) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/customers/{customer_id}/consent',
      tags: ['customers'],
      summary: 'Set marketing consent: unsubscribed customers never appear in win-back lists',
      middleware: [requireScope('write')] as const,
      request: {
        params,
        body: { required: true, content: { 'application/json': { schema: z.object({ unsubscribed: z.boolean(), email: z.email().optional() }).strict().openapi('Consent') } } },
      },
      responses: { 200: { description: 'Stored', content: { 'application/json': { schema: z.object({ customer_id: z.string(), unsubscribed: z.boolean() }) } } }, ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const r = await rt.customers.setConsent(c.req.valid('param').customer_id, body.unsubscribed, body.email);
      return c.json({ customer_id: r.customerId, unsubscribed: r.unsubscribed }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/customers/{customer_id}',
      tags: ['customers'],
      summary: 'Erase a customer (GDPR): purchases, events and scores deleted; a marker stops re-import',
      description: 'Takes effect at once on this replica (other replicas within the sync interval). Idempotent: erasing twice deletes nothing more.',
      middleware: [requireScope('admin')] as const,
      request: { params },
      responses: {
        200: {
          description: 'Erased; counts of deleted rows',
          content: { 'application/json': { schema: z.object({ customer_id: z.string(), erased: z.literal(true), deleted: z.object({ purchases: z.number(), events: z.number(), scores: z.number() }) }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { customer_id } = c.req.valid('param');
      const deleted = await rt.customers.erase(customer_id);
      return c.json({ customer_id, erased: true as const, deleted }, 200);
    },
  );
}

// A customer's scores, marketing consent, and erasure.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { hotGet } from '../hot-route.ts';
import { errorResponses, idParam, JSON_TYPE, ScoresSchema } from '../schemas.ts';

const params = z.object({ customer_id: idParam('customer_id') });

export function customerRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  hotGet(
    app,
    createRoute({
      method: 'get',
      path: '/v1/customers/{customer_id}',
      tags: ['customers'],
      summary: 'A customer\'s churn, lifetime-value and RFM scores (null until scored)',
      scope: 'read' as const,
      request: { params, query: z.object({}) },
      responses: {
        200: {
          description: 'The customer',
          content: { 'application/json': { schema: z.object({ customer_id: z.string(), unsubscribed: z.boolean(), scores: ScoresSchema.nullable() }).openapi('Customer') } },
        },
        ...errorResponses,
      },
    }),
    async (c, { customer_id }) => c.body(await rt.customers.profileJson(customer_id), 200, JSON_TYPE),
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
        body: { required: true, content: { 'application/json': { schema: z.object({ unsubscribed: z.boolean(), email: z.email().max(320).optional() }).strict().openapi('Consent') } } },
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
          content: { 'application/json': { schema: z.object({ customer_id: z.string(), erased: z.literal(true), deleted: z.object({ purchases: z.number(), events: z.number(), scores: z.number(), campaign_memberships: z.number(), contacts: z.number(), served_lists: z.number() }) }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { customer_id } = c.req.valid('param');
      const d = await rt.customers.erase(customer_id);
      const deleted = { purchases: d.purchases, events: d.events, scores: d.scores, campaign_memberships: d.campaignMemberships, contacts: d.contacts, served_lists: d.servedLists };
      return c.json({ customer_id, erased: true as const, deleted }, 200);
    },
  );
}

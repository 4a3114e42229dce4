// Live events in batches: each event is validated on its own, so one bad event is reported in
// the response instead of failing the batch; retries are safe (idempotent by event_id).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { EventInput } from '../../services/events.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { zodFields } from '../error-handler.ts';
import { errorResponses, isoInstant } from '../schemas.ts';

const Event = z
  .object({
    event_id: z.string().min(1).max(200),
    type: z.enum(['view', 'cart', 'purchase', 'click']),
    customer_id: z.string().min(1).max(200),
    item_id: z.string().min(1).max(200),
    quantity: z.number().int().min(1).max(100_000).default(1),
    price: z.number().nonnegative().optional().openapi({ description: 'Unit price, shop currency' }),
    occurred_at: isoInstant().openapi({ description: 'ISO-8601 with a zone, e.g. 2011-12-09T12:50:00Z' }),
    order_id: z.string().min(1).max(200).optional().openapi({ description: 'Purchases: the shop\'s order id' }),
    line_no: z.number().int().min(1).max(2_147_483_647).optional().openapi({ description: 'Purchases: line within the order' }),
    campaign_token: z.string().min(1).max(200).optional().openapi({ description: 'The token of a campaign member (from the campaign export)' }),
    recommendation_id: z.uuid().optional().openapi({ description: 'The recommendation_id of the list the item was found in' }),
  })
  .strict()
  .openapi('Event');

const EventResult = z
  .object({
    event_id: z.string(),
    status: z.enum(['accepted', 'duplicate', 'rejected']),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('EventResult');

export function eventRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  // the body schema refers to Event by $ref (events are checked one by one): the document must hold it
  app.openAPIRegistry.register('Event', Event);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/events',
      tags: ['events'],
      summary: 'Record up to 1,000 views, carts, clicks or purchases',
      description: 'Purchases count in the customer\'s recommendations at once. Each event gets a result: accepted, duplicate (event_id seen before) or rejected with a reason. campaign_token and recommendation_id attribute clicks and orders to a campaign member or a served list.',
      middleware: [requireScope('write')] as const,
      request: {
        body: {
          required: true,
          // events stay unknown here and are checked one by one below
          content: { 'application/json': { schema: z.object({ events: z.array(z.unknown()).min(1).max(1000).openapi({ type: 'array', items: { $ref: '#/components/schemas/Event' } }) }) } },
        },
      },
      responses: {
        200: {
          description: 'One result per event, in order',
          content: { 'application/json': { schema: z.object({ accepted: z.number().int(), duplicates: z.number().int(), rejected: z.number().int(), results: z.array(EventResult) }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { events } = c.req.valid('json');
      const valid: { index: number; event: EventInput }[] = [];
      const rejected: { index: number; eventId: string; message: string }[] = [];
      events.forEach((raw, index) => {
        const parsed = Event.safeParse(raw);
        if (parsed.success) {
          const e = parsed.data;
          valid.push({
            index,
            event: { eventId: e.event_id, type: e.type, customerId: e.customer_id, itemId: e.item_id, quantity: e.quantity, price: e.price, occurredAt: new Date(e.occurred_at), orderId: e.order_id, lineNo: e.line_no, campaignToken: e.campaign_token, recommendationId: e.recommendation_id },
          });
        } else {
          const id = (raw as { event_id?: unknown } | null)?.event_id;
          rejected.push({ index, eventId: typeof id === 'string' ? id : '', message: zodFields(parsed.error).map((f) => `${f.path}: ${f.message}`).join('; ') });
        }
      });
      const results = await rt.events.ingest(valid, rejected);
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return c.json(
        {
          accepted: count('accepted'),
          duplicates: count('duplicate'),
          rejected: count('rejected'),
          results: results.map((r) => ({ event_id: r.eventId, status: r.status, ...(r.error ? { error: r.error } : {}) })),
        },
        200,
      );
    },
  );
}

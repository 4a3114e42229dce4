// Personalised recommendations, one customer or a batch for email tools.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Recommendations } from '../../services/recommendations.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { hotGet } from '../hot-route.ts';
import { jsonBodies } from '../json-bodies.ts';
import { bool, errorResponses, idParam, ItemSchema, itemJson, JSON_TYPE, limitParam, stringList } from '../schemas.ts';

const RecommendationsSchema = z
  .object({
    customer_id: z.string(),
    source: z.enum(['personalized', 'fallback']),
    model_version: z.string(),
    recommendation_id: z.string().openapi({ description: 'Send it back with clicks and orders (events) to attribute them to this list' }),
    items: z.array(ItemSchema),
  })
  .openapi('Recommendations');

function recommendationsJson(r: Recommendations): z.infer<typeof RecommendationsSchema> {
  return { customer_id: r.customerId, source: r.source, model_version: r.modelVersion, recommendation_id: r.recommendationId, items: r.items.map(itemJson) };
}

const filterQuery = {
  category: stringList('Only these categories (repeat the parameter or use a comma list)'),
  exclude: stringList('Item ids never to return'),
  in_stock: bool('Only items in stock; false also allows out-of-stock items (never inactive or non-recommendable ones)', true),
  include_purchased: bool('Also recommend items the customer already bought (repeat purchases); still only active, recommendable items', false),
};

export function recommendationRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  hotGet(
    app,
    createRoute({
      method: 'get',
      path: '/v1/customers/{customer_id}/recommendations',
      tags: ['recommendations'],
      summary: 'Top-N items for a customer',
      description:
        'Personalised from the customer\'s history; purchases made since training count at once (fold-in). Unknown or cold customers get the popularity fallback (source = fallback), never an error. Items the customer bought are excluded unless include_purchased=true.',
      scope: 'read' as const,
      request: {
        params: z.object({ customer_id: idParam('customer_id') }),
        query: z.object({ limit: limitParam(100, 10), ...filterQuery }),
      },
      responses: { 200: { description: 'Recommendations', content: { 'application/json': { schema: RecommendationsSchema } } }, ...errorResponses },
    }),
    (c, { customer_id }, q) => {
      const r = rt.recommendations.forCustomer(customer_id, { limit: q.limit, categories: q.category, exclude: q.exclude, inStock: q.in_stock, includePurchased: q.include_purchased });
      rt.attribution.served(r);
      return c.body(jsonBodies.recommendations(r), 200, JSON_TYPE);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/recommendations/batch',
      tags: ['recommendations'],
      summary: 'Top-N items for up to 1,000 customers in one call',
      middleware: [requireScope('read')] as const,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({
                  customer_ids: z.array(z.string().min(1).max(200)).min(1).max(1000),
                  limit: z.number().int().min(1).max(100).default(10),
                  category: z.array(z.string()).max(200).optional(),
                  exclude: z.array(z.string()).max(200).optional(),
                  in_stock: z.boolean().default(true),
                  include_purchased: z.boolean().default(false),
                })
                .openapi('BatchRecommendationRequest'),
            },
          },
        },
      },
      responses: {
        200: { description: 'One entry per requested customer, in order', content: { 'application/json': { schema: z.object({ results: z.array(RecommendationsSchema) }) } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const b = c.req.valid('json');
      const options = { limit: b.limit, categories: b.category, exclude: b.exclude, inStock: b.in_stock, includePurchased: b.include_purchased };
      const results = b.customer_ids.map((id) => {
        const r = rt.recommendations.forCustomer(id, options);
        rt.attribution.served(r);
        return recommendationsJson(r);
      });
      return c.json({ results }, 200);
    },
  );
}

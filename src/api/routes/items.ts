// Items: similar and popular lists, and catalog updates (one item or a batch).
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ItemPatch } from '../../services/items.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { hotGet } from '../hot-route.ts';
import { jsonBodies } from '../json-bodies.ts';
import { bool, errorResponses, idParam, ItemSchema, itemJson, JSON_TYPE, limitParam, stringList } from '../schemas.ts';

const ItemList = z.object({ model_version: z.string().nullable(), items: z.array(ItemSchema) }).openapi('ItemList');

const ItemFields = z
  .object({
    title: z.string().max(500).nullable().optional(),
    category: z.string().max(200).nullable().optional(),
    price: z.number().nonnegative().nullable().optional(),
    active: z.boolean().optional(),
    in_stock: z.boolean().optional(),
    recommendable: z.boolean().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

type ItemFieldsInput = z.infer<typeof ItemFields>;

function toPatch(externalId: string, f: ItemFieldsInput): ItemPatch {
  return { externalId, title: f.title, category: f.category, price: f.price, active: f.active, inStock: f.in_stock, recommendable: f.recommendable, attributes: f.attributes };
}

export function itemRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/items/popular',
      tags: ['items'],
      summary: 'Most bought items',
      description: 'By distinct buyers. Without window_days: over the model\'s training window. With window_days: over the last N days of purchase data (cached for a minute).',
      middleware: [requireScope('read')] as const,
      request: {
        query: z.object({
          limit: limitParam(100, 10),
          category: z.string().max(200).optional().openapi({ description: 'Only this category' }),
          window_days: z.coerce.number().int().min(1).max(3650).optional().openapi({ description: 'Look-back window in days' }),
        }),
      },
      responses: { 200: { description: 'Popular items', content: { 'application/json': { schema: ItemList } } }, ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const r = await rt.items.popular({ limit: q.limit, category: q.category, windowDays: q.window_days });
      return c.json({ model_version: r.modelVersion, items: r.items.map(itemJson) }, 200);
    },
  );

  hotGet(
    app,
    createRoute({
      method: 'get',
      path: '/v1/items/{item_id}/similar',
      tags: ['items'],
      summary: 'Items similar to one item',
      scope: 'read' as const,
      request: {
        params: z.object({ item_id: idParam('item_id') }),
        query: z.object({
          limit: limitParam(100, 10),
          category: stringList('Only these categories'),
          exclude: stringList('Item ids never to return'),
          in_stock: bool('Only items in stock', true),
        }),
      },
      responses: { 200: { description: 'Similar items', content: { 'application/json': { schema: ItemList } } }, ...errorResponses },
    }),
    (c, { item_id }, q) => {
      const r = rt.recommendations.similar(item_id, { limit: q.limit, categories: q.category, exclude: q.exclude, inStock: q.in_stock });
      return c.body(jsonBodies.itemList(r), 200, JSON_TYPE);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/items/{item_id}',
      tags: ['items'],
      summary: 'Create or update one catalog item (fields left out keep their value)',
      middleware: [requireScope('write')] as const,
      request: {
        params: z.object({ item_id: idParam('item_id') }),
        body: { required: true, content: { 'application/json': { schema: ItemFields.openapi('ItemFields') } } },
      },
      responses: { 200: { description: 'Stored', content: { 'application/json': { schema: z.object({ updated: z.number().int() }) } } }, ...errorResponses },
    }),
    async (c) => {
      const { item_id } = c.req.valid('param');
      return c.json({ updated: await rt.items.upsert([toPatch(item_id, c.req.valid('json'))]) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/items',
      tags: ['items'],
      summary: 'Create or update up to 1,000 catalog items',
      middleware: [requireScope('write')] as const,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({ items: z.array(ItemFields.extend({ item_id: z.string().min(1).max(200) })).min(1).max(1000) }).openapi('ItemBatch'),
            },
          },
        },
      },
      responses: { 200: { description: 'Stored', content: { 'application/json': { schema: z.object({ updated: z.number().int() }) } } }, ...errorResponses },
    }),
    async (c) => {
      const { items } = c.req.valid('json');
      return c.json({ updated: await rt.items.upsert(items.map(({ item_id, ...f }) => toPatch(item_id, f))) }, 200);
    },
  );
}

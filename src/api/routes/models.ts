// Model versions on disk and switching between them (roll back or forward) without a restart.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ModelSummary } from '../../services/model-registry.ts';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { requireScope } from '../auth.ts';
import { errorResponses } from '../schemas.ts';

const Model = z
  .object({
    kind: z.string(),
    version: z.string(),
    active: z.boolean().openapi({ description: 'CURRENT points here' }),
    loaded: z.boolean().openapi({ description: 'This process answers with it' }),
    created_at: z.string(),
    data_window: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
    params: z.record(z.string(), z.unknown()),
    metrics: z.record(z.string(), z.unknown()),
  })
  .openapi('Model');

function modelJson(m: ModelSummary): z.infer<typeof Model> {
  return { kind: m.kind, version: m.version, active: m.active, loaded: m.loaded, created_at: m.createdAt, data_window: m.dataWindow, params: m.params, metrics: m.metrics };
}

export function modelRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/models',
      tags: ['models'],
      summary: 'Every trained model version, per kind',
      middleware: [requireScope('admin')] as const,
      responses: { 200: { description: 'Models', content: { 'application/json': { schema: z.object({ models: z.array(Model) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ models: (await rt.models.list()).map(modelJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/models/{kind}/{version}/activate',
      tags: ['models'],
      summary: 'Make a version the active one; a recommender starts answering at once',
      description: 'Recommender: loaded and swapped in without a restart (other replicas follow within their sync interval). Churn: used by the next scoring run; the scores already in the database stay until then.',
      middleware: [requireScope('admin')] as const,
      request: {
        params: z.object({
          kind: z.string().max(50).openapi({ param: { name: 'kind', in: 'path' }, example: 'recommender' }),
          version: z.string().regex(/^[0-9A-Za-z._-]+$/).max(100).openapi({ param: { name: 'version', in: 'path' } }),
        }),
      },
      responses: { 200: { description: 'Activated', content: { 'application/json': { schema: Model } } }, ...errorResponses },
    }),
    async (c) => {
      const { kind, version } = c.req.valid('param');
      return c.json(modelJson(await rt.models.activate(kind, version)), 200);
    },
  );
}

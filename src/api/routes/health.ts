// Liveness, readiness and Prometheus metrics: outside /v1, no key needed (orchestrators and
// scrapers call them), and cheap: /healthz is the baseline the serving benchmark compares with.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import { hotGet } from '../hot-route.ts';
import type { Metrics } from '../metrics.ts';

const Ready = z.object({ ready: z.boolean(), model_loaded: z.boolean(), database: z.boolean(), model_version: z.string().nullable() }).openapi('Readiness');

export function healthRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime, metrics: Metrics): void {
  hotGet(
    app,
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      security: [],
      request: { params: z.object({}), query: z.object({}) },
      responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/readyz',
      tags: ['operations'],
      summary: 'Readiness: a recommender is loaded and the database answers',
      security: [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: Ready } } },
        503: { description: 'Not ready', content: { 'application/json': { schema: Ready } } },
      },
    }),
    async (c) => {
      const database = await rt.dbReachable();
      const body = { ready: database && rt.modelLoaded, model_loaded: rt.modelLoaded, database, model_version: rt.models.current?.manifest.version ?? null };
      return body.ready ? c.json(body, 200) : c.json(body, 503);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics (text exposition format)',
      security: [],
      responses: { 200: { description: 'Metrics', content: { 'text/plain': { schema: z.string() } } } },
    }),
    async (c) => c.text(await metrics.render(), 200, { 'content-type': metrics.contentType }),
  );
}

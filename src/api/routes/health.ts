// Liveness, readiness and Prometheus metrics: outside /v1, no key needed (orchestrators and
// scrapers call them), and cheap: /healthz is the baseline the serving benchmark compares with.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ServiceRuntime } from '../../services/runtime.ts';
import type { AppEnv } from '../app-env.ts';
import type { RequestMetrics } from '../request-metrics.ts';

const Ready = z.object({ ready: z.boolean(), model_loaded: z.boolean(), database: z.boolean(), model_version: z.string().nullable() }).openapi('Readiness');

export function healthRoutes(app: OpenAPIHono<AppEnv>, rt: ServiceRuntime, metrics: RequestMetrics): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/healthz',
      tags: ['operations'],
      summary: 'Liveness: the process answers',
      security: [],
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
    (c) => {
      const text = metrics.render([
        { name: 'retain_model_loaded', help: 'Active recommender version (1 when loaded).', samples: () => (rt.models.current ? [{ labels: `{version="${rt.models.current.manifest.version}"}`, value: 1 }] : []) },
        { name: 'retain_model_reloads_total', help: 'Recommender loads since start.', samples: () => [{ labels: '', value: rt.models.reloads }] },
        { name: 'retain_catalog_items', help: 'Items in the in-memory catalog.', samples: () => [{ labels: '', value: rt.catalog.size }] },
        { name: 'retain_fresh_purchase_customers', help: 'Customers with purchases since the model was trained.', samples: () => [{ labels: '', value: rt.freshCustomers }] },
        { name: 'retain_fold_in_pending', help: 'Customers whose fold-in recommendations are queued for precomputation.', samples: () => [{ labels: '', value: rt.recommendations.pendingPrefetch }] },
        { name: 'retain_api_keys_active', help: 'Active API keys.', samples: () => [{ labels: '', value: rt.keys.size }] },
        { name: 'retain_process_resident_memory_bytes', help: 'Resident set size.', samples: () => [{ labels: '', value: process.memoryUsage.rss() }] },
        {
          name: 'retain_process_memory_bytes',
          help: 'V8 heap in use, memory outside the heap, and typed-array buffers (part of external).',
          samples: () => {
            const m = process.memoryUsage();
            return [
              { labels: '{kind="heap_used"}', value: m.heapUsed },
              { labels: '{kind="heap_total"}', value: m.heapTotal },
              { labels: '{kind="external"}', value: m.external },
              { labels: '{kind="array_buffers"}', value: m.arrayBuffers },
            ];
          },
        },
      ]);
      return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    },
  );
}

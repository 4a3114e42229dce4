// The Hono app factory: middleware, one route module per resource, the OpenAPI document and the
// error handler. It knows HTTP and nothing else: answers come from the services runtime.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ServiceRuntime } from '../services/runtime.ts';
import type { AppEnv } from './app-env.ts';
import { authenticate } from './auth.ts';
import { docsRoutes } from './docs.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { createErrorHandler, notFoundHandler, validationHook } from './error-handler.ts';
import { openHotLane } from './hot-route.ts';
import { Metrics } from './metrics.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { churnRoutes } from './routes/churn.ts';
import { customerRoutes } from './routes/customers.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { itemRoutes } from './routes/items.ts';
import { modelRoutes } from './routes/models.ts';
import { recommendationMetricsRoutes } from './routes/recommendation-metrics.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { retentionRoutes } from './routes/retention.ts';
import { segmentRoutes } from './routes/segments.ts';

export interface AppOptions {
  runtime: ServiceRuntime;
  logger: Logger;
  /** Largest accepted request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Listening beyond loopback: every /v1 request needs a key even if none is configured. */
  alwaysRequireKey?: boolean;
}

const defaults = { maxBodyBytes: 1024 * 1024, alwaysRequireKey: false };

export type App = OpenAPIHono<AppEnv>;

export function createApp(options: AppOptions): App {
  const { runtime, logger, maxBodyBytes, alwaysRequireKey } = { ...defaults, ...options } satisfies Required<AppOptions>;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const metrics = new Metrics().addRuntimeGauges(runtime);

  const onError = createErrorHandler(logger);
  app.onError(onError);
  app.notFound(notFoundHandler);
  const hotLane = openHotLane(app, { metrics, keys: runtime.keys, alwaysRequireKey, onError });
  app.use('*', metrics.middleware());
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new DomainError('payload_too_large', `request body exceeds ${maxBodyBytes} bytes`);
    },
  });
  // Only for methods with a body: on @hono/node-server, merely looking at a GET's body builds a
  // full Fetch Request, a cost paid on every recommendation request otherwise.
  app.use('/v1/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  app.use('/v1/*', authenticate(runtime.keys, alwaysRequireKey));

  healthRoutes(app, runtime, metrics);
  recommendationRoutes(app, runtime);
  itemRoutes(app, runtime);
  customerRoutes(app, runtime);
  churnRoutes(app, runtime);
  segmentRoutes(app, runtime);
  retentionRoutes(app, runtime);
  recommendationMetricsRoutes(app, runtime);
  campaignRoutes(app, runtime);
  eventRoutes(app, runtime);
  modelRoutes(app, runtime);
  app.route('/dashboard', dashboardRoutes({ runtime, logger, alwaysRequireKey }));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'An API key from `retain keys create`' });
  const documentConfig = {
    openapi: '3.0.3',
    info: {
      title: 'retain',
      version: '1',
      description: 'Recommendations, churn scores and win-back lists for an e-commerce shop.',
    },
    security: [{ bearer: [] }],
  };
  app.doc('/openapi.json', documentConfig);
  docsRoutes(app);
  app.fetch = hotLane(app.fetch) as typeof app.fetch;
  return app;
}

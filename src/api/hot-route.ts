// The hot lane: the routes every page view calls (/healthz, recommendations, similar items, a
// customer's scores) served
// by a small Hono app of their own in front of the full one, each by one synchronous handler that
// does inline what the full app's middleware does (request metrics, key and scope check) and
// checks its query and path with the same zod schemas, the same validationHook and the same error
// handler. Same OpenAPI document too: the routes are registered in the full app's registry.
//
// Why: profiling the server under load (bench/serve/README.md) showed the request path, not the
// recommender, dominating. In the full app every request goes through a chain of async middleware
// (metrics, body limit, authentication, the route's scope check) and @hono/zod-openapi's per-part
// async validators, routed by a trie router (the full route table is one the regular-expression
// router refuses), and Hono only answers synchronously when one handler alone matches. Here one
// handler alone matches, in a router of a few routes. Everything the lane does not know it hands
// to the full app. Shops send the same few query strings over and over, so a valid query's parsed
// value is kept per raw query string.
import type { OpenAPIHono, RouteConfig, z } from '@hono/zod-openapi';
import { Hono, type Context, type ErrorHandler } from 'hono';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import type { ApiKeyRing, Scope } from '../services/api-key-ring.ts';
import type { AppEnv } from './app-env.ts';
import { checkScope, setApiKey } from './auth.ts';
import { validationHook } from './error-handler.ts';
import type { Metrics } from './metrics.ts';

/** Parsed queries kept per route; cleared when full (a client sending ever-new strings gains nothing but costs little). */
const QUERY_CACHE_MAX = 1000;

export interface HotLaneOptions {
  metrics: Metrics;
  keys: ApiKeyRing;
  alwaysRequireKey: boolean;
  onError: ErrorHandler<AppEnv>;
}

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

class HotLane {
  readonly app = new Hono<AppEnv>({ router: new RegExpRouter() });

  constructor(readonly options: HotLaneOptions) {}

  /** The lane's fetch: its own routes here, everything else through `next` (the full app's fetch). */
  inFrontOf(next: Fetch): Fetch {
    this.app.notFound((c) => next(c.req.raw, c.env));
    return this.app.fetch;
  }
}

const lanes = new WeakMap<OpenAPIHono<AppEnv>, HotLane>();

/** Opens the hot lane of `app` (createApp does, before any route is registered); returns the fetch that puts it in front. */
export function openHotLane(app: OpenAPIHono<AppEnv>, options: HotLaneOptions): (next: Fetch) => Fetch {
  const lane = new HotLane(options);
  lanes.set(app, lane);
  return (next) => lane.inFrontOf(next);
}

type HotRoute<P extends z.ZodType, Q extends z.ZodType> = RouteConfig & {
  method: 'get';
  /** The key scope the route needs; without one it is public (no key asked, as /healthz). */
  scope?: Scope;
  request: { params: P; query: Q };
};

export function hotGet<P extends z.ZodType, Q extends z.ZodType>(
  app: OpenAPIHono<AppEnv>,
  route: HotRoute<P, Q>,
  handler: (c: Context<AppEnv>, params: z.output<P>, query: z.output<Q>) => Response | Promise<Response>,
): void {
  const lane = lanes.get(app);
  if (!lane) throw new Error('hotGet: the app has no hot lane (build it with createApp)');
  const { scope, ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { metrics, keys, alwaysRequireKey, onError } = lane.options;
  const { params, query } = route.request;
  const pattern = route.path.replaceAll(/\/{(.+?)}/g, '/:$1');
  const queries = new Map<string, z.output<Q>>();
  const answer = (c: Context<AppEnv>): Response | Promise<Response> => {
    if (scope) {
      setApiKey(c, keys, alwaysRequireKey);
      checkScope(c, scope);
    }
    const url = c.req.url;
    const at = url.indexOf('?', 8);
    const key = at === -1 ? '' : url.slice(at);
    let q = queries.get(key);
    if (q === undefined) {
      const parsed = query.safeParse(queryObject(c));
      const refused = validationHook({ ...parsed, target: 'query' }, c);
      if (refused) return refused;
      if (queries.size >= QUERY_CACHE_MAX) queries.clear();
      queries.set(key, (q = parsed.data!));
    }
    const p = params.safeParse(c.req.param());
    const refused = validationHook({ ...p, target: 'param' }, c);
    return refused ?? handler(c, p.data!, q);
  };
  // No closures made per request (tsx names each one with a defineProperty call, which showed in profiles).
  const observe = (c: Context<AppEnv>, start: number, res: Response): Response => {
    metrics.observe(c.req.method, pattern, res.status, (performance.now() - start) / 1000);
    return res;
  };
  lane.app.get(pattern, (c) => {
    const start = performance.now();
    let res: Response | Promise<Response>;
    try {
      res = answer(c);
    } catch (err) {
      return observe(c, start, onError(err as Error, c) as Response);
    }
    // a database-backed route answers later: the same metrics and error handler then
    if (res instanceof Promise) return res.then((r) => observe(c, start, r), (err: unknown) => observe(c, start, onError(err as Error, c) as Response));
    return observe(c, start, res);
  });
}

/** The query as hono's validator presents it: one value as a string, a repeated key as an array. */
function queryObject(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}

// Registration for the hot read routes (recommendations, similar items): same OpenAPI document,
// same validation and error bodies as `app.openapi`, at a fraction of the per-request cost.
//
// Why: profiling the server under load showed the request path, not the recommender, dominating:
// `app.openapi` adds one async middleware per request part (query, then path), each awaiting
// zod's `safeParseAsync` and the hook, so these routes cost about three times `/healthz`. Here
// both parts are checked synchronously inside the handler, in the same order (query first, then
// path, as @hono/zod-openapi does), through the same `validationHook`, which also refuses text the
// database could not store, exactly as on every other route. Shops send the same few
// query strings over and over, so a valid query's parsed value is kept per raw query string.
import type { OpenAPIHono, RouteConfig, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { validationHook } from './error-handler.ts';

/** Parsed queries kept per route; cleared when full (a client sending ever-new strings gains nothing but costs little). */
const QUERY_CACHE_MAX = 1000;

type HotRoute<P extends z.ZodType, Q extends z.ZodType> = RouteConfig & {
  method: 'get';
  middleware?: readonly MiddlewareHandler<AppEnv>[];
  request: { params: P; query: Q };
};

export function hotGet<P extends z.ZodType, Q extends z.ZodType>(
  app: OpenAPIHono<AppEnv>,
  route: HotRoute<P, Q>,
  handler: (c: Context<AppEnv>, params: z.output<P>, query: z.output<Q>) => Response,
): void {
  const { middleware = [], ...documented } = route;
  app.openAPIRegistry.registerPath(documented);
  const { params, query } = route.request;
  const queries = new Map<string, z.output<Q>>();
  const handle = (c: Context<AppEnv>): Response => {
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
  // the route's own middleware first, as app.openapi registers it
  app.on('GET', route.path.replaceAll(/\/{(.+?)}/g, '/:$1'), ...(middleware as [MiddlewareHandler<AppEnv>]), handle);
}

/** The query as hono's validator presents it: one value as a string, a repeated key as an array. */
function queryObject(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}

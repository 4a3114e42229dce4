// Prometheus text exposition for the HTTP layer: request counts by route and status, and a
// latency histogram by route. Route patterns (not raw paths) keep the label set small.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';

/** Upper bounds in seconds; recommendations aim at single-digit milliseconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

interface RouteStats {
  counts: Map<number, number>;
  buckets: Float64Array;
  sum: number;
  total: number;
}

export interface Gauge {
  name: string;
  help: string;
  /** One sample per label set; labels already formatted as `{k="v"}` or ''. */
  samples: () => { labels: string; value: number }[];
}

export class RequestMetrics {
  private readonly routes = new Map<string, RouteStats>();

  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      const start = performance.now();
      await next();
      this.observe(`${c.req.method} ${c.req.routePath}`, c.res.status, (performance.now() - start) / 1000);
    };
  }

  observe(route: string, status: number, seconds: number): void {
    let s = this.routes.get(route);
    if (!s) {
      s = { counts: new Map(), buckets: new Float64Array(BUCKETS.length), sum: 0, total: 0 };
      this.routes.set(route, s);
    }
    s.counts.set(status, (s.counts.get(status) ?? 0) + 1);
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++;
    s.sum += seconds;
    s.total++;
  }

  render(gauges: Gauge[]): string {
    const out: string[] = [];
    out.push('# HELP retain_http_requests_total HTTP requests by route and status.', '# TYPE retain_http_requests_total counter');
    for (const [route, s] of this.routes) {
      const [method, path] = route.split(' ');
      for (const [status, n] of s.counts) out.push(`retain_http_requests_total{method="${method}",route="${esc(path!)}",status="${status}"} ${n}`);
    }
    out.push('# HELP retain_http_request_duration_seconds Time from request to response headers.', '# TYPE retain_http_request_duration_seconds histogram');
    for (const [route, s] of this.routes) {
      const [method, path] = route.split(' ');
      const l = `method="${method}",route="${esc(path!)}"`;
      BUCKETS.forEach((b, i) => out.push(`retain_http_request_duration_seconds_bucket{${l},le="${b}"} ${s.buckets[i]}`));
      out.push(`retain_http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.total}`);
      out.push(`retain_http_request_duration_seconds_sum{${l}} ${s.sum}`, `retain_http_request_duration_seconds_count{${l}} ${s.total}`);
    }
    for (const g of gauges) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const { labels, value } of g.samples()) out.push(`${g.name}${labels} ${value}`);
    }
    return `${out.join('\n')}\n`;
  }
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
